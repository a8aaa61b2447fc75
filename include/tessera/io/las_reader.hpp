// Reading LAS files: header and VLRs once, point records by range with pread.
//
// Opening validates everything a later read relies on, and throws a
// FormatError naming the file and the field when it does not hold:
//   - signature "LASF", version 1.0–1.4, header size for the version;
//   - compressed data (LAZ: point-format bits 6–7, a "laszip encoded" VLR,
//     record 22204) is decoded by laz::LazPoints (io/laz/), which checks
//     the laszip VLR and the chunk table and refuses what it cannot decode
//     by name; records are then decoded chunk by chunk on each read;
//   - point format 0–10 (LAZ: 0–3 compressor 2, 6–8 compressor 3); record length at least the
//   standard size;
//   - the VLRs fit before the point data;
//   - the point count agrees with the file size (a truncated file, or a
//     header count that disagrees with the bytes present).
// read_records() is const and thread-safe (pread on one descriptor): ranks
// and threads each read their own range, never the whole file per tile.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tessera/core/mapped_range.hpp"
#include "tessera/io/las_format.hpp"

namespace tessera::io {

namespace laz {
class LazPoints;
}

class LasReader {
 public:
  explicit LasReader(const std::filesystem::path& path);
  ~LasReader();
  LasReader(LasReader&& other) noexcept;
  LasReader(const LasReader&) = delete;
  LasReader& operator=(const LasReader&) = delete;
  LasReader& operator=(LasReader&&) = delete;

  const LasHeader& header() const noexcept { return header_; }
  const std::filesystem::path& path() const noexcept { return path_; }
  std::uint64_t point_count() const noexcept { return header_.point_count; }
  std::uint64_t file_size() const noexcept { return file_size_; }
  /// True for LAZ; its chunks (laz::LazPoints::chunks) are then the units
  /// of reading: a range inside a chunk decodes the chunk from its start.
  bool compressed() const noexcept { return laz_ != nullptr; }
  const laz::LazPoints* laz() const noexcept { return laz_.get(); }
  /// Part `index` of `parts` of the records, [first, end): a block of
  /// records (block_range), or for LAZ a block of whole chunks of about
  /// equal compressed bytes (laz::part_start), so that every chunk is
  /// decoded by one part only.
  std::pair<std::uint64_t, std::uint64_t> part(int parts, int index) const;
  /// Records to read at once from `first` (a chunk start for LAZ): `want`,
  /// or for LAZ up to the end of the chunk holding the last of them; never
  /// past `end`.
  std::uint64_t read_span(std::uint64_t first, std::uint64_t want, std::uint64_t end) const;
  LasPointLayout layout() const {
    return LasPointLayout(header_.point_format, header_.record_length);
  }

  /// Reads records [first, first + count) into `out` (count * record_length
  /// bytes). Throws IoError on a short read, naming the file and the range.
  void read_records(std::uint64_t first, std::uint64_t count, std::uint8_t* out) const;
  std::vector<std::uint8_t> read_records(std::uint64_t first, std::uint64_t count) const;
  /// Maps records [first, first + count) read-only (mapped_range.hpp): for
  /// blocks walked more than once without a private copy.
  MappedRange map_records(std::uint64_t first, std::uint64_t count) const;

 private:
  void parse();
  void pread_exact(std::uint64_t offset, std::uint64_t size, std::uint8_t* out,
                   const char* what) const;
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t file_size_ = 0;
  LasHeader header_;
  std::shared_ptr<const laz::LazPoints> laz_;
};

/// True if the file is LAZ (decodable or not); does not throw.
bool las_is_compressed(const std::filesystem::path& path);

}  // namespace tessera::io
