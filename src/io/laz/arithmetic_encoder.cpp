// LASzip's arithmetic encoder; see include/tessera/io/laz/arithmetic_encoder.hpp.
#include "tessera/io/laz/arithmetic_encoder.hpp"

namespace tessera::io::laz {

void ArithmeticEncoder::carry() {
  // A carry out of base runs back through the 0xFF bytes already written.
  std::size_t i = out_.size();
  while (i > 0 && out_[i - 1] == 0xFF) {
    out_[i - 1] = 0;
    --i;
  }
  if (i > 0)
    ++out_[i - 1];
}

void ArithmeticEncoder::finish() {
  // Pick a value inside the interval with as few significant bytes as the
  // interval allows (Said 2004, "termination"), then pad with zeros to the
  // 4 bytes the decoder keeps ahead of what it has used.
  bool another_byte = true;
  if (length_ > 2 * kMinLength) {
    add(kMinLength);
    length_ = kMinLength >> 1;
  } else {
    add(kMinLength >> 1);
    length_ = kMinLength >> 9;
    another_byte = false;
  }
  renormalise();
  out_.push_back(0);
  out_.push_back(0);
  if (another_byte)
    out_.push_back(0);
}

}  // namespace tessera::io::laz
