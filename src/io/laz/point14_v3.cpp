// LAZ POINT14 v3 decoding; see include/tessera/io/laz/point14_v3.hpp.
#include "tessera/io/laz/point14_v3.hpp"

#include <cstring>

#include "point14_context.hpp"
#include "record_bytes.hpp"
#include "tessera/io/laz/point10_context.hpp"

namespace tessera::io::laz {

using point14::current_return;
using point14::kReturnMap6;
using point14::last_return;
using point14::return_level;

struct Point14V3Decoder::Context : point14::State<true> {
  using State::State;
};

// Format 6 (LAS 1.4 R15, Table 14): byte 14 return number (bits 0-3) and
// number of returns (4-7); byte 15 classification flags (0-3), scanner
// channel (4-5), scan direction (6), edge of flight line (7).
Point14 Point14::unpack(const std::uint8_t* rec) {
  Point14 p;
  p.x = load<std::int32_t>(rec, 0);
  p.y = load<std::int32_t>(rec, 4);
  p.z = load<std::int32_t>(rec, 8);
  p.intensity = load<std::uint16_t>(rec, 12);
  p.return_number = rec[14] & 0x0F;
  p.returns = rec[14] >> 4;
  p.flags = static_cast<std::uint8_t>((rec[15] & 0x0F) | ((rec[15] >> 2) & 0x30));
  p.channel = (rec[15] >> 4) & 0x03;
  p.classification = rec[16];
  p.user_data = rec[17];
  p.scan_angle = load<std::int16_t>(rec, 18);
  p.source = load<std::uint16_t>(rec, 20);
  p.gps = load<std::uint64_t>(rec, 22);
  return p;
}

void Point14::pack(std::uint8_t* rec) const {
  store(rec, 0, x);
  store(rec, 4, y);
  store(rec, 8, z);
  store(rec, 12, intensity);
  rec[14] = static_cast<std::uint8_t>((return_number & 0x0F) | (returns << 4));
  rec[15] =
      static_cast<std::uint8_t>((flags & 0x0F) | ((channel & 3) << 4) | ((flags & 0x30) << 2));
  rec[16] = classification;
  rec[17] = user_data;
  store(rec, 18, scan_angle);
  store(rec, 20, source);
  store(rec, 22, gps);
}

Point14V3Decoder::Point14V3Decoder() = default;
Point14V3Decoder::~Point14V3Decoder() = default;

std::string Point14V3Decoder::layer_name(std::size_t i) const {
  static const char* const names[] = {"XY",        "Z",          "classification", "flags",
                                      "intensity", "scan angle", "user data",      "point source",
                                      "GPS time"};
  return i < 9 ? names[i] : "?";
}

Point14V3Decoder::Context& Point14V3Decoder::open(unsigned channel, const Point14& from) {
  contexts_[channel] = std::make_unique<Context>(from);
  used_[channel] = true;
  return *contexts_[channel];
}

void Point14V3Decoder::start(const std::uint8_t* first, unsigned& context,
                             ArithmeticDecoder* const* streams) {
  for (int i = 0; i < 9; ++i)
    layer_[i] = streams[i];
  used_.fill(false);
  const Point14 p = Point14::unpack(first);
  current_ = p.channel;
  // The items after POINT14 start the chunk in the first point's channel
  // (layered_chunk.cpp: later points hand them a channel only on a change).
  context = current_;
  open(current_, p);
}

void Point14V3Decoder::decode(std::uint8_t* item, unsigned& context) {
  Context* c = contexts_[current_].get();
  ArithmeticDecoder& xy = *layer_[0];
  const unsigned lpr = last_return(c->last);
  const std::uint32_t changes = xy.decode_symbol(c->changed[lpr]);
  if (changes & 64) {  // another scanner channel: 1..3 after this one
    const unsigned channel = (current_ + xy.decode_symbol(c->channel) + 1) % kScannerChannels;
    Context* next = used_[channel] ? contexts_[channel].get() : &open(channel, c->last);
    current_ = channel;
    context = channel;
    c = next;
    c->last.channel = static_cast<std::uint8_t>(channel);
  }
  Point14& p = c->last;
  const bool source_changed = (changes & 32) != 0;
  const bool gps_changed = (changes & 16) != 0;
  const bool angle_changed = (changes & 8) != 0;

  if (changes & 4)
    p.returns =
        static_cast<std::uint8_t>(xy.decode_symbol(Context::lazy(c->returns, p.returns, 16)));
  switch (changes & 3) {
    case 1:
      p.return_number = static_cast<std::uint8_t>((p.return_number + 1) % 16);
      break;
    case 2:
      p.return_number = static_cast<std::uint8_t>((p.return_number + 15) % 16);
      break;
    case 3:
      if (gps_changed) {
        p.return_number = static_cast<std::uint8_t>(
            xy.decode_symbol(Context::lazy(c->return_number, p.return_number, 16)));
      } else {
        p.return_number = static_cast<std::uint8_t>(
            (p.return_number + xy.decode_symbol(c->return_gps_same) + 2) % 16);
      }
      break;
    default:
      break;
  }
  const unsigned n = p.returns, r = p.return_number;
  const unsigned m = kReturnMap6[n][r];
  const unsigned l = return_level(n, r);
  const unsigned cpr = current_return(n, r);
  const unsigned single = n == 1 ? 1u : 0u;

  const unsigned med = (m << 1) | (gps_changed ? 1u : 0u);
  std::int32_t d = c->dx.decode(xy, c->x_median[med].get(), single);
  p.x = static_cast<std::int32_t>(static_cast<std::uint32_t>(p.x) + static_cast<std::uint32_t>(d));
  c->x_median[med].add(d);
  d = c->dy.decode(xy, c->y_median[med].get(), single + k_context(c->dx.k(), 20));
  p.y = static_cast<std::int32_t>(static_cast<std::uint32_t>(p.y) + static_cast<std::uint32_t>(d));
  c->y_median[med].add(d);

  if (ArithmeticDecoder* s = layer_[1]) {
    const unsigned k = (c->dx.k() + c->dy.k()) / 2;
    p.z = c->z.decode(*s, c->last_z[l], single + k_context(k, 18));
    c->last_z[l] = p.z;
  }
  if (ArithmeticDecoder* s = layer_[2]) {
    const unsigned ctx = ((p.classification & 0x1Fu) << 1) + (cpr == 3 ? 1u : 0u);
    p.classification =
        static_cast<std::uint8_t>(s->decode_symbol(Context::lazy(c->classification, ctx, 256)));
  }
  if (ArithmeticDecoder* s = layer_[3])
    p.flags = static_cast<std::uint8_t>(s->decode_symbol(Context::lazy(c->flags, p.flags, 64)));
  if (ArithmeticDecoder* s = layer_[4]) {
    const unsigned i = (cpr << 1) | (gps_changed ? 1u : 0u);
    p.intensity = static_cast<std::uint16_t>(c->intensity.decode(*s, c->last_intensity[i], cpr));
    c->last_intensity[i] = p.intensity;
  }
  if (ArithmeticDecoder* s = layer_[5]; s != nullptr && angle_changed)
    p.scan_angle = static_cast<std::int16_t>(c->scan_angle.decode(*s, p.scan_angle, gps_changed));
  if (ArithmeticDecoder* s = layer_[6]) {
    p.user_data = static_cast<std::uint8_t>(
        s->decode_symbol(Context::lazy(c->user_data, p.user_data / 4u, 256)));
  }
  if (ArithmeticDecoder* s = layer_[7]; s != nullptr && source_changed)
    p.source = static_cast<std::uint16_t>(c->source.decode(*s, p.source));
  if (ArithmeticDecoder* s = layer_[8]; s != nullptr && gps_changed)
    c->gps.decode(*s, reinterpret_cast<std::uint8_t*>(&p.gps));
  p.pack(item);
  p.gps_changed = gps_changed;
}

}  // namespace tessera::io::laz
