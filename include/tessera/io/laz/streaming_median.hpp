// The running median of the last five values that LASzip's POINT10 v2 codec
// predicts x and y differences with. Its exact insertion rule is part of the
// format (the prediction must match the encoder's): five sorted slots, a new
// value entering from the "high" or "low" end alternately depending on where
// it falls relative to the middle.
#pragma once

#include <cstdint>

namespace tessera::io::laz {

class StreamingMedian5 {
 public:
  void reset() {
    for (std::int32_t& v : v_)
      v = 0;
    high_ = true;
  }
  std::int32_t get() const { return v_[2]; }
  void add(std::int32_t x) {
    if (high_) {
      if (x < v_[2]) {
        v_[4] = v_[3];
        v_[3] = v_[2];
        if (x < v_[0]) {
          v_[2] = v_[1];
          v_[1] = v_[0];
          v_[0] = x;
        } else if (x < v_[1]) {
          v_[2] = v_[1];
          v_[1] = x;
        } else {
          v_[2] = x;
        }
      } else {
        if (x < v_[3]) {
          v_[4] = v_[3];
          v_[3] = x;
        } else {
          v_[4] = x;
        }
        high_ = false;
      }
    } else {
      if (v_[2] < x) {
        v_[0] = v_[1];
        v_[1] = v_[2];
        if (v_[4] < x) {
          v_[2] = v_[3];
          v_[3] = v_[4];
          v_[4] = x;
        } else if (v_[3] < x) {
          v_[2] = v_[3];
          v_[3] = x;
        } else {
          v_[2] = x;
        }
      } else {
        if (v_[1] < x) {
          v_[0] = v_[1];
          v_[1] = x;
        } else {
          v_[0] = x;
        }
        high_ = true;
      }
    }
  }

 private:
  std::int32_t v_[5] = {0, 0, 0, 0, 0};
  bool high_ = true;
};

}  // namespace tessera::io::laz
