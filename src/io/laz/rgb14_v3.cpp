// LAZ RGB14 / RGBNIR14 v3; see include/tessera/io/laz/rgb14_v3.hpp.
#include "tessera/io/laz/rgb14_v3.hpp"

#include <cstring>

namespace tessera::io::laz {

namespace {

/// The context whose last values the point is predicted from, after the
/// channel switch rule of the header (shared by decoder and encoder).
template <typename Contexts>
std::uint16_t* switch_context(Contexts& contexts, unsigned& current, unsigned context,
                              bool decoder) {
  std::uint16_t* last = contexts[current]->last;
  if (context != current) {
    current = context;
    if (!contexts[current]) {
      contexts[current] = std::make_unique<Rgb14Context>(decoder);
      std::memcpy(contexts[current]->last, last, sizeof contexts[current]->last);
      last = contexts[current]->last;
    }
  }
  return last;
}

std::uint8_t fold(std::uint32_t v) {
  return static_cast<std::uint8_t>(v & 0xFF);
}

}  // namespace

void Rgb14V3Decoder::start(const std::uint8_t* first, unsigned& context,
                           ArithmeticDecoder* const* streams) {
  for (std::size_t i = 0; i < layers(); ++i)
    layer_[i] = streams[i];
  for (auto& c : contexts_)
    c.reset();
  current_ = context;
  contexts_[current_] = std::make_unique<Rgb14Context>(true);
  std::memcpy(contexts_[current_]->last, first, nir_ ? 8 : 6);
}

void Rgb14V3Decoder::decode(std::uint8_t* item, unsigned& context) {
  std::uint16_t* last = switch_context(contexts_, current_, context, true);
  Rgb14Context& c = *contexts_[current_];
  std::uint16_t v[4];
  if (layer_[0] != nullptr) {
    decode_rgb(*layer_[0], c.rgb, last, v);
    std::memcpy(last, v, 6);
  } else {
    std::memcpy(v, last, 6);
  }
  if (nir_) {
    if (ArithmeticDecoder* s = layer_[1]) {
      const std::uint32_t used = s->decode_symbol(c.nir_used);
      const std::uint32_t lo = last[3] & 0xFF, hi = last[3] >> 8;
      const std::uint32_t new_lo = (used & 1) ? fold(s->decode_symbol(c.nir_diff[0]) + lo) : lo;
      const std::uint32_t new_hi = (used & 2) ? fold(s->decode_symbol(c.nir_diff[1]) + hi) : hi;
      last[3] = static_cast<std::uint16_t>(new_lo | (new_hi << 8));
    }
    v[3] = last[3];
  }
  std::memcpy(item, v, nir_ ? 8 : 6);
}

void Rgb14V3Encoder::start(const std::uint8_t* first, unsigned& context) {
  out_.start();
  for (auto& c : contexts_)
    c.reset();
  current_ = context;
  contexts_[current_] = std::make_unique<Rgb14Context>(false);
  std::memcpy(contexts_[current_]->last, first, nir_ ? 8 : 6);
}

void Rgb14V3Encoder::encode(const std::uint8_t* item, unsigned& context) {
  std::uint16_t* last = switch_context(contexts_, current_, context, false);
  Rgb14Context& c = *contexts_[current_];
  std::uint16_t v[4] = {};
  std::memcpy(v, item, nir_ ? 8 : 6);
  if (encode_rgb(out_[0], c.rgb, last, v) & 0x3F)
    out_.mark(0);
  std::memcpy(last, v, 6);
  if (nir_) {
    const std::uint32_t lo = v[3] & 0xFF, hi = v[3] >> 8;
    const std::uint32_t last_lo = last[3] & 0xFF, last_hi = last[3] >> 8;
    const std::uint32_t used = (lo != last_lo ? 1u : 0u) | (hi != last_hi ? 2u : 0u);
    ArithmeticEncoder& s = out_[1];
    s.encode_symbol(c.nir_used, used);
    if (used & 1)
      s.encode_symbol(c.nir_diff[0], fold(lo - last_lo));
    if (used & 2)
      s.encode_symbol(c.nir_diff[1], fold(hi - last_hi));
    if (used != 0)
      out_.mark(1);
    last[3] = v[3];
  }
}

}  // namespace tessera::io::laz
