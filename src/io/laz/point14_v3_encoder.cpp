// LAZ POINT14 v3 encoding: the mirror of Point14V3Decoder (point14_v3.cpp),
// every layer's model choices made from the same state, in the same order.
#include <cstring>

#include "point14_context.hpp"
#include "tessera/io/laz/point10_context.hpp"
#include "tessera/io/laz/point14_v3.hpp"

namespace tessera::io::laz {

using point14::current_return;
using point14::kReturnMap6;
using point14::last_return;
using point14::return_level;

struct Point14V3Encoder::Context : point14::State<false> {
  using State::State;
};

Point14V3Encoder::Point14V3Encoder() = default;
Point14V3Encoder::~Point14V3Encoder() = default;

Point14V3Encoder::Context& Point14V3Encoder::open(unsigned channel, const Point14& from) {
  contexts_[channel] = std::make_unique<Context>(from);
  used_[channel] = true;
  return *contexts_[channel];
}

void Point14V3Encoder::start(const std::uint8_t* first, unsigned& context) {
  out_.start();
  used_.fill(false);
  const Point14 p = Point14::unpack(first);
  current_ = p.channel;
  // The items after POINT14 start the chunk in the first point's channel
  // (layered_chunk.cpp: later points hand them a channel only on a change).
  context = current_;
  open(current_, p);
}

void Point14V3Encoder::encode(const std::uint8_t* item, unsigned& context) {
  const Point14 q = Point14::unpack(item);
  Context* c = contexts_[current_].get();
  const unsigned lpr = last_return(c->last);
  // What the point is compared with: its channel's last point, or for a
  // channel not yet seen in the chunk the last point of this one.
  const bool switched = q.channel != current_;
  const Point14& last = switched && used_[q.channel] ? contexts_[q.channel]->last : c->last;
  // GPS times compare by their bits (so -0.0 and NaNs survive exactly).
  const bool gps_changed = q.gps != last.gps;
  const bool source_changed = q.source != last.source;
  const bool angle_changed = q.scan_angle != last.scan_angle;
  std::uint32_t changes = (switched ? 64u : 0u) | (source_changed ? 32u : 0u) |
                          (gps_changed ? 16u : 0u) | (angle_changed ? 8u : 0u) |
                          (q.returns != last.returns ? 4u : 0u);
  const unsigned last_r = last.return_number;
  if (q.return_number != last_r) {
    if (q.return_number == (last_r + 1) % 16)
      changes |= 1;
    else if (q.return_number == (last_r + 15) % 16)
      changes |= 2;
    else
      changes |= 3;
  }
  ArithmeticEncoder& xy = out_[0];
  xy.encode_symbol(c->changed[lpr], changes);
  if (switched) {
    xy.encode_symbol(c->channel, (q.channel + kScannerChannels - current_) % kScannerChannels - 1);
    Context* next = used_[q.channel] ? contexts_[q.channel].get() : &open(q.channel, c->last);
    current_ = q.channel;
    context = current_;
    c = next;
    c->last.channel = q.channel;
  }
  Point14& p = c->last;
  if (changes & 4)
    xy.encode_symbol(Context::lazy(c->returns, p.returns, 16), q.returns);
  if ((changes & 3) == 3) {
    if (gps_changed) {
      xy.encode_symbol(Context::lazy(c->return_number, p.return_number, 16), q.return_number);
    } else {
      xy.encode_symbol(c->return_gps_same, (q.return_number + 16u - p.return_number) % 16u - 2u);
    }
  }
  const unsigned n = q.returns, r = q.return_number;
  const unsigned m = kReturnMap6[n][r];
  const unsigned l = return_level(n, r);
  const unsigned cpr = current_return(n, r);
  const unsigned single = n == 1 ? 1u : 0u;

  const unsigned med = (m << 1) | (gps_changed ? 1u : 0u);
  auto minus = [](std::int32_t a, std::int32_t b) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) - static_cast<std::uint32_t>(b));
  };
  std::int32_t d = minus(q.x, p.x);
  c->dx.encode(xy, c->x_median[med].get(), d, single);
  c->x_median[med].add(d);
  d = minus(q.y, p.y);
  c->dy.encode(xy, c->y_median[med].get(), d, single + k_context(c->dx.k(), 20));
  c->y_median[med].add(d);

  {
    if (q.z != p.z)
      out_.mark(1);
    const unsigned k = (c->dx.k() + c->dy.k()) / 2;
    c->z.encode(out_[1], c->last_z[l], q.z, single + k_context(k, 18));
    c->last_z[l] = q.z;
  }
  {
    if (q.classification != p.classification)
      out_.mark(2);
    const unsigned ctx = ((p.classification & 0x1Fu) << 1) + (cpr == 3 ? 1u : 0u);
    out_[2].encode_symbol(Context::lazy(c->classification, ctx, 256), q.classification);
  }
  if (q.flags != p.flags)
    out_.mark(3);
  out_[3].encode_symbol(Context::lazy(c->flags, p.flags, 64), q.flags);
  {
    if (q.intensity != p.intensity)
      out_.mark(4);
    const unsigned i = (cpr << 1) | (gps_changed ? 1u : 0u);
    c->intensity.encode(out_[4], c->last_intensity[i], q.intensity, cpr);
    c->last_intensity[i] = q.intensity;
  }
  if (angle_changed) {
    out_.mark(5);
    c->scan_angle.encode(out_[5], p.scan_angle, q.scan_angle, gps_changed);
  }
  if (q.user_data != p.user_data)
    out_.mark(6);
  out_[6].encode_symbol(Context::lazy(c->user_data, p.user_data / 4u, 256), q.user_data);
  if (source_changed) {
    out_.mark(7);
    c->source.encode(out_[7], p.source, q.source);
  }
  if (gps_changed) {
    out_.mark(8);
    c->gps.encode(out_[8], reinterpret_cast<const std::uint8_t*>(&q.gps));
  }
  p = q;
  p.channel = static_cast<std::uint8_t>(current_);
  p.gps_changed = gps_changed;
}

}  // namespace tessera::io::laz
