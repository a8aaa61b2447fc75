// File and byte helpers of the LAZ unit tests (test_laz.cpp,
// test_laz_layered.cpp): read and write whole files, patch and read fields
// in place, and the error a damaged file gives when it is read through.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/io/las_reader.hpp"

namespace laz_test {

inline std::vector<std::uint8_t> slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline void spit(const std::filesystem::path& p, const std::vector<std::uint8_t>& b) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

template <typename T>
void poke(std::vector<std::uint8_t>& b, std::size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof v);
}

template <typename T>
T peek(const std::vector<std::uint8_t>& b, std::size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

/// The message of reading every record of `p`, or "no error".
inline std::string open_error(const std::filesystem::path& p) {
  try {
    tessera::io::LasReader r(p);
    r.read_records(0, r.point_count());
  } catch (const tessera::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace laz_test
