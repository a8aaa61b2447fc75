// LAZ POINT10 v2 decoding; see include/tessera/io/laz/point10_v2.hpp.
#include "tessera/io/laz/point10_v2.hpp"

#include <cstring>

#include "record_bytes.hpp"
#include "tessera/io/laz/point10_context.hpp"

namespace tessera::io::laz {

Point10V2Decoder::Point10V2Decoder() = default;

SymbolModel& Point10V2Decoder::model(std::array<std::unique_ptr<SymbolModel>, 256>& set,
                                     std::uint8_t v) {
  std::unique_ptr<SymbolModel>& m = set[v];
  if (!m)
    m = std::make_unique<SymbolModel>(256);
  return *m;
}

void Point10V2Decoder::start(const std::uint8_t* first) {
  for (int i = 0; i < 16; ++i) {
    x_median_[i].reset();
    y_median_[i].reset();
    last_intensity_[i] = 0;
  }
  for (std::int32_t& h : last_height_)
    h = 0;
  changed_.reset();
  intensity_.reset();
  scan_angle_[0].reset();
  scan_angle_[1].reset();
  point_source_.reset();
  for (auto* set : {&flags_, &classification_, &user_data_}) {
    for (auto& m : *set) {
      if (m)
        m->reset();
    }
  }
  dx_.reset();
  dy_.reset();
  z_.reset();
  std::memcpy(last_, first, 20);
}

void Point10V2Decoder::decode(ArithmeticDecoder& dec, std::uint8_t* item) {
  const std::uint32_t changed = dec.decode_symbol(changed_);
  if (changed & 32)
    last_[14] = static_cast<std::uint8_t>(dec.decode_symbol(model(flags_, last_[14])));
  const unsigned r = last_[14] & 0x07;
  const unsigned n = (last_[14] >> 3) & 0x07;
  const unsigned m = kReturnMap[n][r];
  const unsigned l = kReturnLevel[n][r];
  if (changed & 16) {
    const auto v =
        static_cast<std::uint16_t>(intensity_.decode(dec, last_intensity_[m], m < 3 ? m : 3));
    last_intensity_[m] = v;
  }
  store<std::uint16_t>(last_, 12, last_intensity_[m]);
  if (changed & 8)
    last_[15] = static_cast<std::uint8_t>(dec.decode_symbol(model(classification_, last_[15])));
  if (changed & 4) {
    const unsigned direction = (last_[14] >> 6) & 1;
    last_[16] = static_cast<std::uint8_t>(dec.decode_symbol(scan_angle_[direction]) + last_[16]);
  }
  if (changed & 2)
    last_[17] = static_cast<std::uint8_t>(dec.decode_symbol(model(user_data_, last_[17])));
  if (changed & 1) {
    store<std::uint16_t>(
        last_, 18,
        static_cast<std::uint16_t>(point_source_.decode(dec, load<std::uint16_t>(last_, 18))));
  }

  const unsigned single = n == 1 ? 1 : 0;
  // x: difference against the median of the context's last differences.
  std::int32_t diff = dx_.decode(dec, x_median_[m].get(), single);
  store<std::int32_t>(
      last_, 0,
      static_cast<std::int32_t>(static_cast<std::uint32_t>(load<std::int32_t>(last_, 0)) +
                                static_cast<std::uint32_t>(diff)));
  x_median_[m].add(diff);
  // y: the same, in a context that includes the class of x's correction.
  diff = dy_.decode(dec, y_median_[m].get(), single + k_context(dx_.k(), 20));
  store<std::int32_t>(
      last_, 4,
      static_cast<std::int32_t>(static_cast<std::uint32_t>(load<std::int32_t>(last_, 4)) +
                                static_cast<std::uint32_t>(diff)));
  y_median_[m].add(diff);
  // z: against the last z of the same return level.
  const unsigned kz = (dx_.k() + dy_.k()) / 2;
  const std::int32_t z = z_.decode(dec, last_height_[l], single + k_context(kz, 18));
  store<std::int32_t>(last_, 8, z);
  last_height_[l] = z;
  std::memcpy(item, last_, 20);
}

SymbolModel& Point10V2Encoder::model(std::array<std::unique_ptr<SymbolModel>, 256>& set,
                                     std::uint8_t v) {
  std::unique_ptr<SymbolModel>& m = set[v];
  if (!m)
    m = std::make_unique<SymbolModel>(256, false);
  return *m;
}

void Point10V2Encoder::start(const std::uint8_t* first) {
  for (int i = 0; i < 16; ++i) {
    x_median_[i].reset();
    y_median_[i].reset();
    last_intensity_[i] = 0;
  }
  for (std::int32_t& h : last_height_)
    h = 0;
  changed_.reset();
  intensity_.reset();
  scan_angle_[0].reset();
  scan_angle_[1].reset();
  point_source_.reset();
  for (auto* set : {&flags_, &classification_, &user_data_}) {
    for (auto& m : *set) {
      if (m)
        m->reset();
    }
  }
  dx_.reset();
  dy_.reset();
  z_.reset();
  std::memcpy(last_, first, 20);
}

void Point10V2Encoder::encode(ArithmeticEncoder& enc, const std::uint8_t* item) {
  const unsigned r = item[14] & 0x07;
  const unsigned n = (item[14] >> 3) & 0x07;
  const unsigned m = kReturnMap[n][r];
  const unsigned l = kReturnLevel[n][r];
  const auto intensity = load<std::uint16_t>(item, 12);
  const auto source = load<std::uint16_t>(item, 18);
  const auto last_source = load<std::uint16_t>(last_, 18);
  const std::uint32_t changed = (static_cast<std::uint32_t>(last_[14] != item[14]) << 5) |
                                (static_cast<std::uint32_t>(last_intensity_[m] != intensity) << 4) |
                                (static_cast<std::uint32_t>(last_[15] != item[15]) << 3) |
                                (static_cast<std::uint32_t>(last_[16] != item[16]) << 2) |
                                (static_cast<std::uint32_t>(last_[17] != item[17]) << 1) |
                                static_cast<std::uint32_t>(last_source != source);
  enc.encode_symbol(changed_, changed);
  if (changed & 32)
    enc.encode_symbol(model(flags_, last_[14]), item[14]);
  if (changed & 16) {
    intensity_.encode(enc, last_intensity_[m], intensity, m < 3 ? m : 3);
    last_intensity_[m] = intensity;
  }
  if (changed & 8)
    enc.encode_symbol(model(classification_, last_[15]), item[15]);
  if (changed & 4) {
    enc.encode_symbol(scan_angle_[(item[14] >> 6) & 1],
                      static_cast<std::uint8_t>(item[16] - last_[16]));
  }
  if (changed & 2)
    enc.encode_symbol(model(user_data_, last_[17]), item[17]);
  if (changed & 1)
    point_source_.encode(enc, last_source, source);

  const unsigned single = n == 1 ? 1 : 0;
  auto delta = [&](int at) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(load<std::int32_t>(item, at)) -
                                     static_cast<std::uint32_t>(load<std::int32_t>(last_, at)));
  };
  std::int32_t diff = delta(0);
  dx_.encode(enc, x_median_[m].get(), diff, single);
  x_median_[m].add(diff);
  diff = delta(4);
  dy_.encode(enc, y_median_[m].get(), diff, single + k_context(dx_.k(), 20));
  y_median_[m].add(diff);
  const unsigned kz = (dx_.k() + dy_.k()) / 2;
  const auto z = load<std::int32_t>(item, 8);
  z_.encode(enc, last_height_[l], z, single + k_context(kz, 18));
  last_height_[l] = z;
  std::memcpy(last_, item, 20);
}

}  // namespace tessera::io::laz
