// The chunk table of a chunked LAZ file (compressors 2 and 3).
//
// The point data starts with an i64: the file offset of the chunk table
// (-1 when the writer could not seek back; the offset is then the last 8
// bytes of the file). The chunks follow that i64 back to back. The table
// is u32 version (0), u32 number of chunks, then the entries coded with the
// arithmetic coder (integer_decoder.hpp, 32 bits, 2 contexts), each against
// the previous entry: with variable chunks the point count (context 0),
// then always the byte count (context 1). (LASzip specification, "chunk
// table".) With fixed chunks every chunk holds `chunk size` points except
// the last.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tessera::io::laz {

struct Chunk {
  std::uint64_t first_point = 0;  ///< index of its first point in the file
  std::uint64_t points = 0;
  std::uint64_t offset = 0;  ///< file offset of its first byte
  std::uint64_t bytes = 0;
};

struct ChunkTableLayout {
  std::uint32_t chunk_size = 0;    ///< from the laszip VLR (kVariableChunks: variable)
  std::uint64_t data_start = 0;    ///< offset of the first chunk (points offset + 8)
  std::uint64_t table_offset = 0;  ///< where the table starts (the chunks end there)
  std::uint64_t point_count = 0;   ///< the header's
  int record_length = 0;           ///< a chunk holds at least its raw first point
};

/// Decodes the table from `data` (the file's bytes from the table's start
/// to at most the end of the file) and checks it against the layout: chunk
/// count and point counts against the header's, byte counts within the
/// chunks' space. FormatError naming `file` and "chunk table" otherwise.
std::vector<Chunk> decode_chunk_table(const std::uint8_t* data, std::size_t size,
                                      const ChunkTableLayout& layout, const std::string& file);

/// The table's bytes for `chunks` (for writers): version 0, count, entries
/// (point counts only when `variable`).
std::vector<std::uint8_t> encode_chunk_table(const std::vector<Chunk>& chunks, bool variable);

/// The chunk holding point `p` (chunks sorted by first_point, p inside).
std::size_t chunk_of(const std::vector<Chunk>& chunks, std::uint64_t p);

/// The first chunk of part `index` (0..parts) when `chunks` are split into
/// `parts` runs of about equal compressed bytes: decoding time follows the
/// bytes, not the chunk count (a chunk starts the part whose share of the
/// bytes its middle byte falls in). part_start(chunks, parts, parts) is the
/// chunk count; the same on every rank (a function of the table alone).
std::size_t part_start(const std::vector<Chunk>& chunks, int parts, int index);

}  // namespace tessera::io::laz
