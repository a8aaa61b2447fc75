// LAZ POINT10 v1 decoding; see include/tessera/io/laz/point10_v1.hpp.
#include "tessera/io/laz/point10_v1.hpp"

#include <algorithm>
#include <cstring>

#include "record_bytes.hpp"

namespace tessera::io::laz {

namespace {

/// The median of three (any order; ties give the tied value).
std::int32_t median3(const std::int32_t (&v)[3]) {
  return std::max(std::min(v[0], v[1]), std::min(std::max(v[0], v[1]), v[2]));
}

}  // namespace

std::uint8_t Point10V1Decoder::decode_by_last(ArithmeticDecoder& dec, ModelSet& set,
                                              std::uint8_t last) {
  std::unique_ptr<SymbolModel>& m = set[last];
  if (!m)
    m = std::make_unique<SymbolModel>(256);
  return static_cast<std::uint8_t>(dec.decode_symbol(*m));
}

void Point10V1Decoder::start(const std::uint8_t* first) {
  for (IntegerDecoder* c : {&dx_, &dy_, &z_, &intensity_, &scan_angle_, &point_source_})
    c->reset();
  changed_.reset();
  for (ModelSet* set : {&flags_, &classification_, &user_data_}) {
    for (auto& m : *set) {
      if (m)
        m->reset();
    }
  }
  std::fill(std::begin(last_dx_), std::end(last_dx_), 0);
  std::fill(std::begin(last_dy_), std::end(last_dy_), 0);
  next_ = 0;
  std::memcpy(last_, first, 20);
}

void Point10V1Decoder::decode(ArithmeticDecoder& dec, std::uint8_t* item) {
  const std::int32_t dx = dx_.decode(dec, median3(last_dx_));
  store(last_, 0,
        static_cast<std::int32_t>(static_cast<std::uint32_t>(load<std::int32_t>(last_, 0)) +
                                  static_cast<std::uint32_t>(dx)));
  unsigned k = dx_.k();
  const std::int32_t dy = dy_.decode(dec, median3(last_dy_), std::min(k, 19u));
  store(last_, 4,
        static_cast<std::int32_t>(static_cast<std::uint32_t>(load<std::int32_t>(last_, 4)) +
                                  static_cast<std::uint32_t>(dy)));
  k = (k + dy_.k()) / 2;
  store(last_, 8, z_.decode(dec, load<std::int32_t>(last_, 8), std::min(k, 19u)));
  const std::uint32_t changed = dec.decode_symbol(changed_);
  if (changed & 32)
    store(last_, 12,
          static_cast<std::uint16_t>(intensity_.decode(dec, load<std::uint16_t>(last_, 12))));
  if (changed & 16)
    last_[14] = decode_by_last(dec, flags_, last_[14]);
  if (changed & 8)
    last_[15] = decode_by_last(dec, classification_, last_[15]);
  if (changed & 4)
    last_[16] = static_cast<std::uint8_t>(scan_angle_.decode(dec, last_[16], k < 3 ? 1u : 0u));
  if (changed & 2)
    last_[17] = decode_by_last(dec, user_data_, last_[17]);
  if (changed & 1)
    store(last_, 18,
          static_cast<std::uint16_t>(point_source_.decode(dec, load<std::uint16_t>(last_, 18))));
  last_dx_[next_] = dx;
  last_dy_[next_] = dy;
  next_ = (next_ + 1) % 3;
  std::memcpy(item, last_, 20);
}

}  // namespace tessera::io::laz
