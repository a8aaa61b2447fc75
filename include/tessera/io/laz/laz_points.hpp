// The point records of a LAZ file, decoded chunk by chunk.
//
// Opening checks what decoding relies on and refuses the rest by name
// (FormatError naming the file, and the chunk for chunk errors): the laszip
// VLR (compressor, coder, items and versions: laz_vlr.hpp), the chunk
// table's position and entries (chunk_table.hpp). read() decodes the
// chunks that hold a range of records, OpenMP threads taking chunks side by
// side; it is const and thread-safe (pread on the caller's descriptor).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/io/las_format.hpp"
#include "tessera/io/laz/chunk_table.hpp"
#include "tessera/io/laz/laz_vlr.hpp"

namespace tessera::io::laz {

/// The laszip VLR of `h`, or nullptr when it has none.
const LasVlr* find_laszip_vlr(const LasHeader& h);

class LazPoints {
 public:
  /// `fd` stays the caller's (open while this object is used).
  LazPoints(int fd, std::uint64_t file_size, const LasHeader& h, std::string file);

  const LaszipVlr& vlr() const { return vlr_; }
  const std::vector<Chunk>& chunks() const { return chunks_; }
  /// Compressed bytes of the point data (chunks and table).
  std::uint64_t compressed_bytes() const;

  /// Records [first, first + count) into `out` (count * record length bytes).
  void read(std::uint64_t first, std::uint64_t count, std::uint8_t* out) const;

 private:
  void pread_exact(std::uint64_t offset, std::uint64_t size, std::uint8_t* out,
                   const std::string& what) const;
  /// Chunk `c` decoded whole into `out` (its points * record length bytes).
  void decode_chunk(std::size_t c, std::uint8_t* out) const;

  int fd_;
  std::string file_;
  LaszipVlr vlr_;
  std::vector<Chunk> chunks_;
  int record_length_ = 0;
  std::uint64_t points_offset_ = 0;
  std::uint64_t table_end_ = 0;
};

}  // namespace tessera::io::laz
