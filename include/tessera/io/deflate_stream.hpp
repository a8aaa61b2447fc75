// zlib-format deflate streams (RFC 1950 around RFC 1951) of whole buffers,
// for writers that compress pieces of a file apart and append them: NetCDF-4
// chunks (HDF5's deflate filter, H5Z_FILTER_DEFLATE, stores exactly such a
// stream per chunk and inflates it with zlib) and GeoTIFF tiles.
//
// Level 1 goes through Intel ISA-L's igzip (level 1), levels 2..9 through
// libdeflate at the same level. On the medium synthetic grid (one variable,
// 730 chunks of 1 day x 500 x 512 floats, one core) igzip level 1 took
// 0.25 s against 1.07 s for libdeflate level 1 and 1.97 s for zlib level 1,
// for 22.3 MB against 23.3 and 21.0 MB (docs/pipelines/raster.md): the
// gridded step spends its time in deflate, so its default is level 1.
// Both produce ordinary streams that any inflate reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tessera::io {

/// Compresses `raw` at `level` (1..9) into the front of `out` and returns
/// the stream's length. `out` only grows (to the library's bound): a buffer
/// kept between calls is neither zeroed nor faulted in again, which on a
/// grid's worth of chunks cost more than deflate itself. Thread-safe: every
/// thread keeps its own compressor state. Throws IoError if the library fails.
std::size_t deflate_zlib(std::span<const std::uint8_t> raw, int level,
                         std::vector<std::uint8_t>& out);

/// HDF5's shuffle filter (H5Z_FILTER_SHUFFLE): byte k of every element of
/// `elem_size` bytes is stored together, plane after plane; a trailing
/// part shorter than one element is copied as it is.
void shuffle_bytes(std::span<const std::uint8_t> raw, std::size_t elem_size,
                   std::vector<std::uint8_t>& out);

}  // namespace tessera::io
