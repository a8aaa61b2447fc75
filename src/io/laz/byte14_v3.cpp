// LAZ BYTE14 v3; see include/tessera/io/laz/byte14_v3.hpp.
#include "tessera/io/laz/byte14_v3.hpp"

namespace tessera::io::laz {

Byte14Context::Byte14Context(std::size_t size, bool decoder, const std::uint8_t* from)
    : last(from, from + size) {
  models.reserve(size);
  for (std::size_t i = 0; i < size; ++i)
    models.emplace_back(256, decoder);
}

namespace {

/// The last bytes the point is predicted from (RGB14 v3's switch rule).
std::uint8_t* switch_context(std::array<std::unique_ptr<Byte14Context>, kScannerChannels>& contexts,
                             unsigned& current, unsigned context, std::size_t size, bool decoder) {
  std::uint8_t* last = contexts[current]->last.data();
  if (context != current) {
    current = context;
    if (!contexts[current]) {
      contexts[current] = std::make_unique<Byte14Context>(size, decoder, last);
      last = contexts[current]->last.data();
    }
  }
  return last;
}

}  // namespace

void Byte14V3Decoder::start(const std::uint8_t* first, unsigned& context,
                            ArithmeticDecoder* const* streams) {
  for (std::size_t i = 0; i < size_; ++i)
    layer_[i] = streams[i];
  for (auto& c : contexts_)
    c.reset();
  current_ = context;
  contexts_[current_] = std::make_unique<Byte14Context>(size_, true, first);
}

void Byte14V3Decoder::decode(std::uint8_t* item, unsigned& context) {
  std::uint8_t* last = switch_context(contexts_, current_, context, size_, true);
  std::vector<SymbolModel>& models = contexts_[current_]->models;
  for (std::size_t i = 0; i < size_; ++i) {
    if (ArithmeticDecoder* s = layer_[i])
      last[i] = static_cast<std::uint8_t>(last[i] + s->decode_symbol(models[i]));
    item[i] = last[i];
  }
}

void Byte14V3Encoder::start(const std::uint8_t* first, unsigned& context) {
  out_.start();
  for (auto& c : contexts_)
    c.reset();
  current_ = context;
  contexts_[current_] = std::make_unique<Byte14Context>(size_, false, first);
}

void Byte14V3Encoder::encode(const std::uint8_t* item, unsigned& context) {
  std::uint8_t* last = switch_context(contexts_, current_, context, size_, false);
  std::vector<SymbolModel>& models = contexts_[current_]->models;
  for (std::size_t i = 0; i < size_; ++i) {
    if (item[i] != last[i])
      out_.mark(i);
    out_[i].encode_symbol(models[i], static_cast<std::uint8_t>(item[i] - last[i]));
    last[i] = item[i];
  }
}

}  // namespace tessera::io::laz
