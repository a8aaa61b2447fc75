// Writing LAZ (compressor 2, point-wise chunked, for point formats 0-5; 3,
// layered chunked, for 6-10: layered_chunk.hpp): the LAS header with bit 7
// of the point-format byte set and the laszip VLR added, then at the points
// offset the i64 offset of the chunk table, the chunks, and the table.
//
// compress_chunks() is the pure part (threads compress chunks side by
// side); ranks that each own some chunks compress them with it and place
// them with laz_layout() (see tiles convert).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "tessera/io/las_format.hpp"
#include "tessera/io/laz/chunk_table.hpp"
#include "tessera/io/laz/laz_vlr.hpp"

namespace tessera::io::laz {

inline constexpr std::uint32_t kDefaultChunkSize = 50000;

/// The laszip VLR for `h`'s point format and extra bytes; throws UsageError
/// naming the format when it is not a LAS point format (0-10).
LaszipVlr vlr_for(const LasHeader& h, std::uint32_t chunk_size = kDefaultChunkSize);
/// `h` as a LAZ header: compression bit set, the laszip VLR `v` added (a
/// laszip VLR already there replaced).
LasHeader laz_header(LasHeader h, const LaszipVlr& v);
/// `n` records compressed into chunks of `chunk_size` records (the last
/// shorter), one byte vector per chunk, OpenMP threads side by side.
std::vector<std::vector<std::uint8_t>> compress_chunks(const LaszipVlr& v,
                                                       const std::uint8_t* records,
                                                       std::uint64_t n);

/// Serial convenience: `records` (point format and record length of
/// `header`) written as a complete LAZ file, atomically; header counts and
/// bounds from the records, like write_las_file.
void write_laz_file(const std::filesystem::path& path, LasHeader header,
                    const std::vector<std::uint8_t>& records,
                    std::uint32_t chunk_size = kDefaultChunkSize);

}  // namespace tessera::io::laz
