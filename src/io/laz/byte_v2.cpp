// LAZ BYTE v2 decoding; see include/tessera/io/laz/byte_v2.hpp.
#include "tessera/io/laz/byte_v2.hpp"

#include <cstring>

namespace tessera::io::laz {

ByteV2Decoder::ByteV2Decoder(std::size_t size) : last_(size) {
  models_.reserve(size);
  for (std::size_t i = 0; i < size; ++i)
    models_.emplace_back(256);
}

void ByteV2Decoder::start(const std::uint8_t* first) {
  for (SymbolModel& m : models_)
    m.reset();
  std::memcpy(last_.data(), first, last_.size());
}

void ByteV2Decoder::decode(ArithmeticDecoder& dec, std::uint8_t* item) {
  for (std::size_t i = 0; i < last_.size(); ++i) {
    last_[i] = static_cast<std::uint8_t>(last_[i] + dec.decode_symbol(models_[i]));
    item[i] = last_[i];
  }
}

ByteV2Encoder::ByteV2Encoder(std::size_t size) : last_(size) {
  models_.reserve(size);
  for (std::size_t i = 0; i < size; ++i)
    models_.emplace_back(256, false);
}

void ByteV2Encoder::start(const std::uint8_t* first) {
  for (SymbolModel& m : models_)
    m.reset();
  std::memcpy(last_.data(), first, last_.size());
}

void ByteV2Encoder::encode(ArithmeticEncoder& enc, const std::uint8_t* item) {
  for (std::size_t i = 0; i < last_.size(); ++i) {
    enc.encode_symbol(models_[i], static_cast<std::uint8_t>(item[i] - last_[i]));
    last_[i] = item[i];
  }
}

}  // namespace tessera::io::laz
