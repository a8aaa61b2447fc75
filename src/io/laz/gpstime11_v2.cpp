// LAZ GPSTIME11 v2 decoding; see include/tessera/io/laz/gpstime11_v2.hpp.
#include "tessera/io/laz/gpstime11_v2.hpp"

#include <algorithm>
#include <cstring>

namespace tessera::io::laz {

namespace {

// int32 products and sums wrap as the format's reference arithmetic does.
std::int32_t times(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) * static_cast<std::uint32_t>(b));
}
std::int64_t plus(std::int64_t a, std::int32_t d) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) +
                                   static_cast<std::uint64_t>(static_cast<std::int64_t>(d)));
}

/// a - b when it fits an int32 (then `fits`), as the format's int64
/// difference of the times' bit patterns.
std::int32_t difference(std::int64_t a, std::int64_t b, bool& fits) {
  const auto d =
      static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
  fits = d == static_cast<std::int64_t>(static_cast<std::int32_t>(d));
  return static_cast<std::int32_t>(d);
}

}  // namespace

void GpsTime11V2Decoder::start(const std::uint8_t* first) {
  last_ = next_ = 0;
  for (int i = 0; i < 4; ++i) {
    last_time_[i] = 0;
    last_diff_[i] = 0;
    extreme_count_[i] = 0;
  }
  multi_.reset();
  zero_diff_.reset();
  time_.reset();
  std::memcpy(&last_time_[0], first, 8);
}

void GpsTime11V2Decoder::full_time(ArithmeticDecoder& dec) {
  next_ = (next_ + 1) & 3;
  const auto high = static_cast<std::uint32_t>(time_.decode(
      dec, static_cast<std::int32_t>(static_cast<std::uint64_t>(last_time_[last_]) >> 32), 8));
  const std::uint64_t bits = (std::uint64_t{high} << 32) | dec.read_int();
  last_time_[next_] = static_cast<std::int64_t>(bits);
  last_ = next_;
  last_diff_[last_] = 0;
  extreme_count_[last_] = 0;
}

void GpsTime11V2Decoder::decode(ArithmeticDecoder& dec, std::uint8_t* item) {
  // A switch to another sequence repeats the decision for that sequence.
  for (;;) {
    if (last_diff_[last_] == 0) {
      // v2 codes: 0 unchanged, 1 a 32-bit difference, 2 a full time, 3.. a
      // switch; v3 has no "unchanged" code (u = 0) and the others one lower.
      const auto u = static_cast<std::int32_t>(unchanged_);
      const std::int32_t multi = static_cast<std::int32_t>(dec.decode_symbol(zero_diff_));
      if (multi == u) {  // a difference that fits 32 bits
        last_diff_[last_] = time_.decode(dec, 0, 0);
        last_time_[last_] = plus(last_time_[last_], last_diff_[last_]);
        extreme_count_[last_] = 0;
      } else if (multi == u + 1) {  // a time too far for 32 bits
        full_time(dec);
      } else if (multi > u + 1) {
        last_ = (last_ + static_cast<unsigned>(multi - u - 1)) & 3;
        continue;
      }
      break;
    }
    const std::int32_t multi = static_cast<std::int32_t>(dec.decode_symbol(multi_));
    const std::int32_t code_full = kGpsMultiCodeFull - 1 + static_cast<std::int32_t>(unchanged_);
    if (multi == 1) {
      last_time_[last_] = plus(last_time_[last_], time_.decode(dec, last_diff_[last_], 1));
      extreme_count_[last_] = 0;
    } else if (multi < kGpsMultiUnchanged) {
      std::int32_t diff;
      // After more than three extreme multipliers in a row, the difference
      // becomes the sequence's new unit.
      auto extreme = [&](std::int32_t d) {
        if (++extreme_count_[last_] > 3) {
          last_diff_[last_] = d;
          extreme_count_[last_] = 0;
        }
      };
      if (multi == 0) {
        diff = time_.decode(dec, 0, 7);
        extreme(diff);
      } else if (multi < kGpsMulti) {
        diff = time_.decode(dec, times(multi, last_diff_[last_]), multi < 10 ? 2 : 3);
      } else if (multi == kGpsMulti) {
        diff = time_.decode(dec, times(kGpsMulti, last_diff_[last_]), 4);
        extreme(diff);
      } else {
        const std::int32_t negative = kGpsMulti - multi;  // -1 .. -10
        if (negative > kGpsMultiMinus) {
          diff = time_.decode(dec, times(negative, last_diff_[last_]), 5);
        } else {
          diff = time_.decode(dec, times(kGpsMultiMinus, last_diff_[last_]), 6);
          extreme(diff);
        }
      }
      last_time_[last_] = plus(last_time_[last_], diff);
    } else if (multi == code_full) {
      full_time(dec);
    } else if (multi > code_full) {
      last_ = (last_ + static_cast<unsigned>(multi - code_full)) & 3;
      continue;
    }
    // multi == kGpsMultiUnchanged (v2): the same time again.
    break;
  }
  std::memcpy(item, &last_time_[last_], 8);
}

void GpsTime11V2Encoder::start(const std::uint8_t* first) {
  last_ = next_ = 0;
  for (int i = 0; i < 4; ++i) {
    last_time_[i] = 0;
    last_diff_[i] = 0;
    extreme_count_[i] = 0;
  }
  multi_.reset();
  zero_diff_.reset();
  time_.reset();
  std::memcpy(&last_time_[0], first, 8);
}

void GpsTime11V2Encoder::full_time(ArithmeticEncoder& enc, SymbolModel& model, std::uint32_t code,
                                   std::int64_t t) {
  enc.encode_symbol(model, code);
  time_.encode(enc, static_cast<std::int32_t>(static_cast<std::uint64_t>(last_time_[last_]) >> 32),
               static_cast<std::int32_t>(static_cast<std::uint64_t>(t) >> 32), 8);
  enc.write_int(static_cast<std::uint32_t>(static_cast<std::uint64_t>(t)));
  next_ = (next_ + 1) & 3;
  last_ = next_;
  last_diff_[last_] = 0;
  extreme_count_[last_] = 0;
  last_time_[last_] = t;
}

void GpsTime11V2Encoder::encode(ArithmeticEncoder& enc, const std::uint8_t* item) {
  std::int64_t t;
  std::memcpy(&t, item, 8);
  const auto u = static_cast<std::uint32_t>(unchanged_);
  const std::uint32_t code_full = kGpsMultiCodeFull - 1 + u;
  for (;;) {
    const bool zero = last_diff_[last_] == 0;
    SymbolModel& model = zero ? zero_diff_ : multi_;
    if (t == last_time_[last_]) {
      enc.encode_symbol(model, zero ? 0 : kGpsMultiUnchanged);
      return;
    }
    bool fits = false;
    const std::int32_t diff = difference(t, last_time_[last_], fits);
    if (!fits) {
      // Another sequence this time is near, or a new one.
      unsigned other = 0;
      for (unsigned i = 1; i < 4 && other == 0; ++i) {
        bool near = false;
        difference(t, last_time_[(last_ + i) & 3], near);
        if (near)
          other = i;
      }
      if (other != 0) {
        enc.encode_symbol(model, zero ? other + u + 1 : code_full + other);
        last_ = (last_ + other) & 3;
        continue;
      }
      full_time(enc, model, zero ? u + 1 : code_full, t);
      return;
    }
    if (zero) {
      enc.encode_symbol(zero_diff_, u);
      time_.encode(enc, 0, diff, 0);
      last_diff_[last_] = diff;
      extreme_count_[last_] = 0;
      last_time_[last_] = t;
      return;
    }
    const std::int32_t unit = last_diff_[last_];
    // Clamped before the conversion: any code decodes (the residual is exact).
    const float ratio =
        std::clamp(static_cast<float>(diff) / static_cast<float>(unit), -1e6f, 1e6f);
    const auto multi = static_cast<std::int32_t>(ratio >= 0 ? ratio + 0.5f : ratio - 0.5f);
    auto extreme = [&] {
      if (++extreme_count_[last_] > 3) {
        last_diff_[last_] = diff;
        extreme_count_[last_] = 0;
      }
    };
    if (multi == 1) {
      enc.encode_symbol(multi_, 1);
      time_.encode(enc, unit, diff, 1);
      extreme_count_[last_] = 0;
    } else if (multi > 0 && multi < kGpsMulti) {
      enc.encode_symbol(multi_, static_cast<std::uint32_t>(multi));
      time_.encode(enc, times(multi, unit), diff, multi < 10 ? 2 : 3);
    } else if (multi >= kGpsMulti) {
      enc.encode_symbol(multi_, kGpsMulti);
      time_.encode(enc, times(kGpsMulti, unit), diff, 4);
      extreme();
    } else if (multi < 0 && multi > kGpsMultiMinus) {
      enc.encode_symbol(multi_, static_cast<std::uint32_t>(kGpsMulti - multi));
      time_.encode(enc, times(multi, unit), diff, 5);
    } else if (multi < 0) {
      enc.encode_symbol(multi_, static_cast<std::uint32_t>(kGpsMulti - kGpsMultiMinus));
      time_.encode(enc, times(kGpsMultiMinus, unit), diff, 6);
      extreme();
    } else {
      enc.encode_symbol(multi_, 0);
      time_.encode(enc, 0, diff, 7);
      extreme();
    }
    last_time_[last_] = t;
    return;
  }
}

}  // namespace tessera::io::laz
