// LAZ item BYTE version 2: the extra bytes of a record (beyond the point
// format's standard fields), each byte coded as its difference (mod 256)
// from the same byte of the last point, with a model per byte position.
// (LASzip specification, BYTE v2.)
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/io/laz/item_decoder.hpp"
#include "tessera/io/laz/item_encoder.hpp"

namespace tessera::io::laz {

class ByteV2Decoder final : public ItemDecoder {
 public:
  explicit ByteV2Decoder(std::size_t size);
  void start(const std::uint8_t* first) override;
  void decode(ArithmeticDecoder& dec, std::uint8_t* item) override;

 private:
  std::vector<SymbolModel> models_;
  std::vector<std::uint8_t> last_;
};

class ByteV2Encoder final : public ItemEncoder {
 public:
  explicit ByteV2Encoder(std::size_t size);
  void start(const std::uint8_t* first) override;
  void encode(ArithmeticEncoder& enc, const std::uint8_t* item) override;

 private:
  std::vector<SymbolModel> models_;
  std::vector<std::uint8_t> last_;
};

}  // namespace tessera::io::laz
