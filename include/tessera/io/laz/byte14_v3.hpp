// LAZ item BYTE14 version 3 (compressor 3): the extra bytes of a layered
// record, each byte in a layer of its own, coded as its difference (mod
// 256) from the same byte of the last point of the scanner channel. The
// channel switch follows the rule of layered_item.hpp. (LASzip
// specification for LAS 1.4, "Extra Bytes layer(s)".)
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "tessera/io/laz/layered_item.hpp"

namespace tessera::io::laz {

struct Byte14Context {
  Byte14Context(std::size_t size, bool decoder, const std::uint8_t* from);
  std::vector<SymbolModel> models;
  std::vector<std::uint8_t> last;
};

class Byte14V3Decoder final : public LayeredItemDecoder {
 public:
  explicit Byte14V3Decoder(std::size_t size) : size_(size), layer_(size) {}
  std::size_t layers() const override { return size_; }
  std::string layer_name(std::size_t i) const override { return "extra byte " + std::to_string(i); }
  void start(const std::uint8_t* first, unsigned& context,
             ArithmeticDecoder* const* streams) override;
  void decode(std::uint8_t* item, unsigned& context) override;

 private:
  std::size_t size_;
  std::vector<ArithmeticDecoder*> layer_;
  std::array<std::unique_ptr<Byte14Context>, kScannerChannels> contexts_;
  unsigned current_ = 0;
};

class Byte14V3Encoder final : public LayeredItemEncoder {
 public:
  explicit Byte14V3Encoder(std::size_t size) : size_(size), out_(size) {}
  std::size_t layers() const override { return size_; }
  void start(const std::uint8_t* first, unsigned& context) override;
  void encode(const std::uint8_t* item, unsigned& context) override;
  void finish() override { out_.finish(); }
  const std::vector<std::uint8_t>& layer(std::size_t i) const override { return out_.bytes(i); }

 private:
  std::size_t size_;
  EncoderLayers out_;
  std::array<std::unique_ptr<Byte14Context>, kScannerChannels> contexts_;
  unsigned current_ = 0;
};

}  // namespace tessera::io::laz
