// The encoding side of a LAZ item (item_decoder.hpp): a chunk's first point
// is written raw by the chunk writer, each later one coded against the
// item's state, which evolves exactly as the decoder's does.
#pragma once

#include <cstdint>

#include "tessera/io/laz/arithmetic_encoder.hpp"

namespace tessera::io::laz {

class ItemEncoder {
 public:
  virtual ~ItemEncoder() = default;
  /// A new chunk whose raw first point's item bytes are `first`.
  virtual void start(const std::uint8_t* first) = 0;
  virtual void encode(ArithmeticEncoder& enc, const std::uint8_t* item) = 0;
};

}  // namespace tessera::io::laz
