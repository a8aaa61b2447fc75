// See slab_chunks.hpp. (Named nc_* so that it is built with the NetCDF
// writers, its only users.)
#include <algorithm>
#include <cstring>
#include <functional>

#include "tessera/io/slab_chunks.hpp"

namespace tessera::io {

bool slab_is_chunk_aligned(const SlabIndex& start, const SlabIndex& count, const SlabIndex& chunk,
                           const SlabIndex& dims) {
  const std::size_t n = dims.size();
  if (start.size() != n || count.size() != n || chunk.size() != n)
    return false;
  for (std::size_t i = 0; i < n; ++i) {
    if (chunk[i] <= 0 || start[i] < 0 || count[i] < 0 || start[i] + count[i] > dims[i])
      return false;
    const std::int64_t end = start[i] + count[i];
    if (start[i] % chunk[i] != 0 || (end % chunk[i] != 0 && end != dims[i]))
      return false;
  }
  return true;
}

std::vector<SlabIndex> slab_chunk_origins(const SlabIndex& start, const SlabIndex& count,
                                          const SlabIndex& chunk) {
  const std::size_t n = start.size();
  std::vector<SlabIndex> out;
  for (std::size_t i = 0; i < n; ++i) {
    if (count[i] == 0)
      return out;
  }
  SlabIndex at = start;
  for (;;) {
    out.push_back(at);
    // Odometer over the chunk grid, the last axis fastest.
    std::size_t i = n;
    while (i > 0) {
      --i;
      at[i] += chunk[i];
      if (at[i] < start[i] + count[i])
        break;
      at[i] = start[i];
      if (i == 0)
        return out;
    }
    if (n == 0)
      return out;
  }
}

void copy_chunk_from_slab(const std::uint8_t* slab, const SlabIndex& start, const SlabIndex& count,
                          const SlabIndex& origin, const SlabIndex& chunk, std::size_t elem_size,
                          std::vector<std::uint8_t>& out) {
  const std::size_t n = chunk.size();
  std::size_t total = elem_size;
  for (auto c : chunk)
    total *= static_cast<std::size_t>(c);
  out.resize(total);
  if (n == 0) {
    std::memcpy(out.data(), slab, elem_size);
    return;
  }
  // Extent of the chunk inside the slab on every axis (edge chunks are short).
  SlabIndex extent(n);
  bool edge = false;
  for (std::size_t i = 0; i < n; ++i) {
    extent[i] = std::min(chunk[i], start[i] + count[i] - origin[i]);
    edge = edge || extent[i] < chunk[i];
  }
  if (edge)
    std::fill(out.begin(), out.end(), std::uint8_t{0});
  // Strides (in elements) of the slab buffer and of the chunk.
  SlabIndex slab_stride(n, 1), chunk_stride(n, 1);
  for (std::size_t i = n - 1; i > 0; --i) {
    slab_stride[i - 1] = slab_stride[i] * count[i];
    chunk_stride[i - 1] = chunk_stride[i] * chunk[i];
  }
  const std::size_t run = static_cast<std::size_t>(extent[n - 1]) * elem_size;
  // Every row of the chunk along the last axis is one contiguous run.
  std::function<void(std::size_t, std::int64_t, std::int64_t)> rows =
      [&](std::size_t axis, std::int64_t src, std::int64_t dst) {
        if (axis + 1 == n) {
          std::memcpy(out.data() + static_cast<std::size_t>(dst) * elem_size,
                      slab + static_cast<std::size_t>(src) * elem_size, run);
          return;
        }
        for (std::int64_t k = 0; k < extent[axis]; ++k)
          rows(axis + 1, src + k * slab_stride[axis], dst + k * chunk_stride[axis]);
      };
  std::int64_t src0 = 0;
  for (std::size_t i = 0; i < n; ++i)
    src0 += (origin[i] - start[i]) * slab_stride[i];
  rows(0, src0, 0);
}

}  // namespace tessera::io
