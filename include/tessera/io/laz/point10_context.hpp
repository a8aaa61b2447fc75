// Contexts of LASzip's POINT10 v2 codec, from the return number r and the
// number of returns n of a point (each 0..7, as stored in byte 14):
//   return_map[n][r]    which of 16 sets of predictors (intensity, x/y
//                       median) the point uses: one per plausible (n, r)
//                       pair, the implausible ones folded onto the others;
//   return_level[n][r]  which of 8 height predictors: |n - r|.
// The tables are fixed by the format (LASzip, "laszip_common_v2").
#pragma once

#include <cstdint>

namespace tessera::io::laz {

inline constexpr std::uint8_t kReturnMap[8][8] = {
    {15, 14, 13, 12, 11, 10, 9, 8},  {14, 0, 1, 3, 6, 10, 10, 9},
    {13, 1, 2, 4, 7, 11, 11, 10},    {12, 3, 4, 5, 8, 12, 12, 11},
    {11, 6, 7, 8, 9, 13, 13, 12},    {10, 10, 11, 12, 13, 14, 14, 13},
    {9, 10, 11, 12, 13, 14, 15, 14}, {8, 9, 10, 11, 12, 13, 14, 15}};

inline constexpr std::uint8_t kReturnLevel[8][8] = {
    {0, 1, 2, 3, 4, 5, 6, 7}, {1, 0, 1, 2, 3, 4, 5, 6}, {2, 1, 0, 1, 2, 3, 4, 5},
    {3, 2, 1, 0, 1, 2, 3, 4}, {4, 3, 2, 1, 0, 1, 2, 3}, {5, 4, 3, 2, 1, 0, 1, 2},
    {6, 5, 4, 3, 2, 1, 0, 1}, {7, 6, 5, 4, 3, 2, 1, 0}};

/// The context of the y and z coders from the x (and y) coders' classes k:
/// even k below `cap` as they are, `cap` beyond.
inline unsigned k_context(unsigned k, unsigned cap) {
  return k < cap ? (k & ~1u) : cap;
}

}  // namespace tessera::io::laz
