// The chunks of a chunked array that a hyperslab covers, and copying one of
// them out of the slab's buffer: what a writer needs to compress the chunks
// of its own puts itself (HDF5's direct chunk write takes whole chunks, edge
// chunks included at their full shape, H5Dwrite_chunk).
//
// A slab is "chunk-aligned" when on every axis it starts on a chunk boundary
// and ends on one or at the end of the array: then every chunk it touches is
// entirely its own, and no other put shares one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tessera::io {

using SlabIndex = std::vector<std::int64_t>;

/// Whether start/count are chunk-aligned in an array of `dims` with `chunk`.
bool slab_is_chunk_aligned(const SlabIndex& start, const SlabIndex& count, const SlabIndex& chunk,
                           const SlabIndex& dims);

/// The element offsets of the chunks a chunk-aligned slab covers, in
/// row-major order of the chunk grid (the last axis fastest).
std::vector<SlabIndex> slab_chunk_origins(const SlabIndex& start, const SlabIndex& count,
                                          const SlabIndex& chunk);

/// Copies the chunk at `origin` out of a slab buffer (row-major over
/// `count`, elements of `elem_size` bytes) into `out`, sized for the whole
/// chunk; the part past the slab's end (an edge chunk) is zero. `out` is
/// reused as it is when it has the chunk's size already (no zeroing pass
/// unless the chunk is an edge one).
void copy_chunk_from_slab(const std::uint8_t* slab, const SlabIndex& start, const SlabIndex& count,
                          const SlabIndex& origin, const SlabIndex& chunk, std::size_t elem_size,
                          std::vector<std::uint8_t>& out);

}  // namespace tessera::io
