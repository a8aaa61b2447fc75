// LAZ WAVEPACKET14 v3; see include/tessera/io/laz/wavepacket14_v3.hpp.
#include "tessera/io/laz/wavepacket14_v3.hpp"

#include <cstring>

namespace tessera::io::laz {

namespace {

/// The last packet the point is predicted from, after the channel rule of
/// layered_item.hpp (shared by decoder and encoder): a context new to the
/// chunk starts from the left one's last packet.
template <typename Context>
std::uint8_t* switch_context(std::array<std::unique_ptr<Context>, kScannerChannels>& contexts,
                             unsigned& current, unsigned context) {
  std::uint8_t* last = contexts[current]->last;
  if (context != current) {
    current = context;
    if (!contexts[current]) {
      contexts[current] = std::make_unique<Context>();
      contexts[current]->coder.reset();
      std::memcpy(contexts[current]->last, last, kWavePacketBytes);
      last = contexts[current]->last;
    }
  }
  return last;
}

template <typename Context>
void open_first(std::array<std::unique_ptr<Context>, kScannerChannels>& contexts, unsigned current,
                const std::uint8_t* first) {
  for (auto& c : contexts)
    c.reset();
  contexts[current] = std::make_unique<Context>();
  contexts[current]->coder.reset();
  std::memcpy(contexts[current]->last, first, kWavePacketBytes);
}

}  // namespace

void WavePacket14V3Decoder::start(const std::uint8_t* first, unsigned& context,
                                  ArithmeticDecoder* const* streams) {
  layer_ = streams[0];
  current_ = context;
  open_first(contexts_, current_, first);
}

void WavePacket14V3Decoder::decode(std::uint8_t* item, unsigned& context) {
  std::uint8_t* last = switch_context(contexts_, current_, context);
  if (layer_ != nullptr) {
    contexts_[current_]->coder.decode(*layer_, last, item);
    std::memcpy(last, item, kWavePacketBytes);
  } else {
    std::memcpy(item, last, kWavePacketBytes);
  }
}

void WavePacket14V3Encoder::start(const std::uint8_t* first, unsigned& context) {
  out_.start();
  current_ = context;
  open_first(contexts_, current_, first);
}

void WavePacket14V3Encoder::encode(const std::uint8_t* item, unsigned& context) {
  std::uint8_t* last = switch_context(contexts_, current_, context);
  if (std::memcmp(item, last, kWavePacketBytes) != 0)
    out_.mark(0);
  contexts_[current_]->coder.encode(out_[0], last, item);
  std::memcpy(last, item, kWavePacketBytes);
}

}  // namespace tessera::io::laz
