// LAZ item WAVEPACKET14 version 3 (compressor 3): the wave packet
// descriptor of point formats 9 and 10 in one layer of its own, each packet
// coded against the last as WAVEPACKET13 does (wavepacket.hpp), with the
// coder's state and the last packet kept per context and switched by the
// channel rule of layered_item.hpp. An empty layer: every packet of the
// chunk is its first point's. (LASzip specification for LAS 1.4,
// "Wavepacket layer".)
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "tessera/io/laz/layered_item.hpp"
#include "tessera/io/laz/wavepacket.hpp"

namespace tessera::io::laz {

template <typename Coding>
struct WavePacket14Context {
  Coding coder;
  std::uint8_t last[kWavePacketBytes] = {};
};

class WavePacket14V3Decoder final : public LayeredItemDecoder {
 public:
  std::size_t layers() const override { return 1; }
  std::string layer_name(std::size_t) const override { return "wave packet"; }
  void start(const std::uint8_t* first, unsigned& context,
             ArithmeticDecoder* const* streams) override;
  void decode(std::uint8_t* item, unsigned& context) override;

 private:
  ArithmeticDecoder* layer_ = nullptr;
  std::array<std::unique_ptr<WavePacket14Context<WavePacketDecoding>>, kScannerChannels> contexts_;
  unsigned current_ = 0;
};

class WavePacket14V3Encoder final : public LayeredItemEncoder {
 public:
  WavePacket14V3Encoder() : out_(1) {}
  std::size_t layers() const override { return 1; }
  void start(const std::uint8_t* first, unsigned& context) override;
  void encode(const std::uint8_t* item, unsigned& context) override;
  void finish() override { out_.finish(); }
  const std::vector<std::uint8_t>& layer(std::size_t i) const override { return out_.bytes(i); }

 private:
  EncoderLayers out_;
  std::array<std::unique_ptr<WavePacket14Context<WavePacketEncoding>>, kScannerChannels> contexts_;
  unsigned current_ = 0;
};

}  // namespace tessera::io::laz
