// LAZ items RGB14 and RGBNIR14 version 3 (compressor 3): the colour of point
// formats 7 and 8 in one layer, coded as RGB12 v2 does (rgb12_v2.hpp), and
// for RGBNIR14 the near infrared u16 in a second layer: a 4-symbol mask of
// its changed bytes, then each changed byte's difference (mod 256).
//
// The models and the last colour are kept per context (the scanner channel
// POINT14 hands over, switched as layered_item.hpp's channel rule says:
// the first point's channel at a chunk's start, then 0 but at a change).
// (LASzip specification for LAS 1.4, "RGB layer", "NIR layer".)
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "tessera/io/laz/layered_item.hpp"
#include "tessera/io/laz/rgb12_v2.hpp"

namespace tessera::io::laz {

/// The per-channel models of RGB14/RGBNIR14 and their last values
/// (r, g, b, nir).
struct Rgb14Context {
  explicit Rgb14Context(bool decoder)
      : rgb(decoder),
        nir_used(4, decoder),
        nir_diff{SymbolModel(256, decoder), SymbolModel(256, decoder)} {}
  RgbModels rgb;
  SymbolModel nir_used;
  SymbolModel nir_diff[2];
  std::uint16_t last[4] = {};
};

class Rgb14V3Decoder final : public LayeredItemDecoder {
 public:
  explicit Rgb14V3Decoder(bool nir) : nir_(nir) {}
  std::size_t layers() const override { return nir_ ? 2 : 1; }
  std::string layer_name(std::size_t i) const override { return i == 0 ? "RGB" : "NIR"; }
  void start(const std::uint8_t* first, unsigned& context,
             ArithmeticDecoder* const* streams) override;
  void decode(std::uint8_t* item, unsigned& context) override;

 private:
  bool nir_;
  ArithmeticDecoder* layer_[2] = {};
  std::array<std::unique_ptr<Rgb14Context>, kScannerChannels> contexts_;
  unsigned current_ = 0;
};

class Rgb14V3Encoder final : public LayeredItemEncoder {
 public:
  explicit Rgb14V3Encoder(bool nir) : nir_(nir), out_(nir ? 2 : 1) {}
  std::size_t layers() const override { return nir_ ? 2 : 1; }
  void start(const std::uint8_t* first, unsigned& context) override;
  void encode(const std::uint8_t* item, unsigned& context) override;
  void finish() override { out_.finish(); }
  const std::vector<std::uint8_t>& layer(std::size_t i) const override { return out_.bytes(i); }

 private:
  bool nir_;
  EncoderLayers out_;
  std::array<std::unique_ptr<Rgb14Context>, kScannerChannels> contexts_;
  unsigned current_ = 0;
};

}  // namespace tessera::io::laz
