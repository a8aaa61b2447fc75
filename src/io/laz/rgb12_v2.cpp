// LAZ RGB12 v2 decoding; see include/tessera/io/laz/rgb12_v2.hpp.
#include "tessera/io/laz/rgb12_v2.hpp"

#include <algorithm>
#include <cstring>

namespace tessera::io::laz {

namespace {

std::uint32_t clamp_byte(std::int32_t v) {
  return static_cast<std::uint32_t>(std::clamp(v, 0, 255));
}
std::uint16_t fold(std::uint32_t v) {
  return static_cast<std::uint16_t>(v & 0xFF);
}

}  // namespace

RgbModels::RgbModels(bool decoder)
    : byte_used(128, decoder), diff{SymbolModel(256, decoder), SymbolModel(256, decoder),
                                    SymbolModel(256, decoder), SymbolModel(256, decoder),
                                    SymbolModel(256, decoder), SymbolModel(256, decoder)} {}

void RgbModels::reset() {
  byte_used.reset();
  for (SymbolModel& x : diff)
    x.reset();
}

std::uint32_t decode_rgb(ArithmeticDecoder& dec, RgbModels& m, const std::uint16_t last[3],
                         std::uint16_t c[3]) {
  const std::uint32_t used = dec.decode_symbol(m.byte_used);
  const std::int32_t last_lo[3] = {last[0] & 0xFF, last[1] & 0xFF, last[2] & 0xFF};
  const std::int32_t last_hi[3] = {last[0] >> 8, last[1] >> 8, last[2] >> 8};
  // Red: low and high bytes against the last red.
  c[0] = (used & 1) ? fold(dec.decode_symbol(m.diff[0]) + static_cast<std::uint32_t>(last_lo[0]))
                    : static_cast<std::uint16_t>(last_lo[0]);
  c[0] |= static_cast<std::uint16_t>(
      ((used & 2) ? fold(dec.decode_symbol(m.diff[1]) + static_cast<std::uint32_t>(last_hi[0]))
                  : static_cast<std::uint16_t>(last_hi[0]))
      << 8);
  if (used & 64) {
    // Low bytes: green against red's change, blue against the mean change.
    std::int32_t d = (c[0] & 0xFF) - last_lo[0];
    c[1] = (used & 4) ? fold(dec.decode_symbol(m.diff[2]) + clamp_byte(d + last_lo[1]))
                      : static_cast<std::uint16_t>(last_lo[1]);
    if (used & 16) {
      d = (d + ((c[1] & 0xFF) - last_lo[1])) / 2;
      c[2] = fold(dec.decode_symbol(m.diff[4]) + clamp_byte(d + last_lo[2]));
    } else {
      c[2] = static_cast<std::uint16_t>(last_lo[2]);
    }
    // High bytes, the same way.
    d = (c[0] >> 8) - last_hi[0];
    c[1] |= static_cast<std::uint16_t>(
        ((used & 8) ? fold(dec.decode_symbol(m.diff[3]) + clamp_byte(d + last_hi[1]))
                    : static_cast<std::uint16_t>(last_hi[1]))
        << 8);
    if (used & 32) {
      d = (d + ((c[1] >> 8) - last_hi[1])) / 2;
      c[2] |= static_cast<std::uint16_t>(
          fold(dec.decode_symbol(m.diff[5]) + clamp_byte(d + last_hi[2])) << 8);
    } else {
      c[2] |= static_cast<std::uint16_t>(last_hi[2] << 8);
    }
  } else {
    c[1] = c[2] = c[0];
  }
  return used;
}

std::uint32_t encode_rgb(ArithmeticEncoder& enc, RgbModels& m, const std::uint16_t last[3],
                         const std::uint16_t c[3]) {
  const std::int32_t lo[3] = {c[0] & 0xFF, c[1] & 0xFF, c[2] & 0xFF};
  const std::int32_t hi[3] = {c[0] >> 8, c[1] >> 8, c[2] >> 8};
  const std::int32_t last_lo[3] = {last[0] & 0xFF, last[1] & 0xFF, last[2] & 0xFF};
  const std::int32_t last_hi[3] = {last[0] >> 8, last[1] >> 8, last[2] >> 8};
  std::uint32_t used = 0;
  for (unsigned i = 0; i < 3; ++i) {
    used |= static_cast<std::uint32_t>(lo[i] != last_lo[i]) << (2 * i);
    used |= static_cast<std::uint32_t>(hi[i] != last_hi[i]) << (2 * i + 1);
  }
  const bool colour = lo[0] != lo[1] || lo[0] != lo[2] || hi[0] != hi[1] || hi[0] != hi[2];
  used |= static_cast<std::uint32_t>(colour) << 6;
  enc.encode_symbol(m.byte_used, used);
  auto put = [&](int model, std::int32_t v) {
    enc.encode_symbol(m.diff[model], static_cast<std::uint8_t>(v));
  };
  std::int32_t d_lo = lo[0] - last_lo[0];
  std::int32_t d_hi = hi[0] - last_hi[0];
  if (used & 1)
    put(0, d_lo);
  if (used & 2)
    put(1, d_hi);
  if (used & 64) {
    if (used & 4)
      put(2, lo[1] - static_cast<std::int32_t>(clamp_byte(d_lo + last_lo[1])));
    if (used & 16) {
      d_lo = (d_lo + (lo[1] - last_lo[1])) / 2;
      put(4, lo[2] - static_cast<std::int32_t>(clamp_byte(d_lo + last_lo[2])));
    }
    if (used & 8)
      put(3, hi[1] - static_cast<std::int32_t>(clamp_byte(d_hi + last_hi[1])));
    if (used & 32) {
      d_hi = (d_hi + (hi[1] - last_hi[1])) / 2;
      put(5, hi[2] - static_cast<std::int32_t>(clamp_byte(d_hi + last_hi[2])));
    }
  }
  return used;
}

void Rgb12V2Decoder::start(const std::uint8_t* first) {
  models_.reset();
  std::memcpy(last_, first, 6);
}

void Rgb12V2Decoder::decode(ArithmeticDecoder& dec, std::uint8_t* item) {
  std::uint16_t c[3];
  decode_rgb(dec, models_, last_, c);
  std::memcpy(last_, c, 6);
  std::memcpy(item, c, 6);
}

void Rgb12V2Encoder::start(const std::uint8_t* first) {
  models_.reset();
  std::memcpy(last_, first, 6);
}

void Rgb12V2Encoder::encode(ArithmeticEncoder& enc, const std::uint8_t* item) {
  std::uint16_t c[3];
  std::memcpy(c, item, 6);
  encode_rgb(enc, models_, last_, c);
  std::memcpy(last_, c, 6);
}

}  // namespace tessera::io::laz
