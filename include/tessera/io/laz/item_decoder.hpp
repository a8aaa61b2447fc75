// One item of a LAZ point (POINT10, GPSTIME11, RGB12, BYTE...): the part of
// a record that one codec compresses. A chunk's first point is stored raw;
// each later one is decoded from the coder against the item's own state.
#pragma once

#include <cstdint>

#include "tessera/io/laz/arithmetic_decoder.hpp"

namespace tessera::io::laz {

class ItemDecoder {
 public:
  virtual ~ItemDecoder() = default;
  /// A new chunk: every model back to its initial state, `first` (the
  /// item's bytes of the chunk's raw first point) the last item seen.
  virtual void start(const std::uint8_t* first) = 0;
  /// The next item's bytes into `item`.
  virtual void decode(ArithmeticDecoder& dec, std::uint8_t* item) = 0;
};

}  // namespace tessera::io::laz
