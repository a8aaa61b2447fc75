// Little-endian fields of a LAS point record at a byte offset, as the item
// codecs read and write them (x86 and every platform Tessera targets are
// little-endian, as LAS is). Private to io/laz.
#pragma once

#include <cstdint>
#include <cstring>

namespace tessera::io::laz {

template <typename T>
T load(const std::uint8_t* p, int at) {
  T v;
  std::memcpy(&v, p + at, sizeof v);
  return v;
}

template <typename T>
void store(std::uint8_t* p, int at, T v) {
  std::memcpy(p + at, &v, sizeof v);
}

}  // namespace tessera::io::laz
