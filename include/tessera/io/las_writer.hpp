// Writing LAS files, serially or by many ranks into one file.
//
// A LAS file is the header + VLRs followed by fixed-size point records, so a
// rank that knows how many records precede its own can write them with
// pwrite at `offset_to_points + first * record_length` without any
// coordination. LasRecordFile owns the descriptor of such a file (the
// temporary name of an AtomicFile / CollectiveAtomicFile); write_header()
// is called by one rank. Nothing here renames: the caller commits the atomic
// file once every rank has written, so no partial file ever looks complete.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "tessera/io/las_format.hpp"

namespace tessera::io {

class LasRecordFile {
 public:
  /// Opens (creating, not truncating) `path` for writing.
  explicit LasRecordFile(const std::filesystem::path& path);
  ~LasRecordFile();
  LasRecordFile(const LasRecordFile&) = delete;
  LasRecordFile& operator=(const LasRecordFile&) = delete;

  /// Writes the header block and VLRs at offset 0.
  void write_header(const LasHeader& header);
  /// Writes `count` records of `record_length` bytes starting at record `first`.
  void write_records(const LasHeader& header, std::uint64_t first, std::uint64_t count,
                     const std::uint8_t* records);
  /// Writes `size` bytes at `offset` (LAZ: chunks, the chunk table).
  void write_at(std::uint64_t offset, const std::uint8_t* data, std::uint64_t size) {
    pwrite_exact(offset, size, data);
  }
  /// Closes; throws IoError if the close fails (e.g. deferred write error).
  void close();

 private:
  void pwrite_exact(std::uint64_t offset, std::uint64_t size, const std::uint8_t* data);
  std::filesystem::path path_;
  int fd_ = -1;
};

/// Running header statistics over records: bounds and counts by return.
struct LasRecordStats {
  std::uint64_t count = 0;
  std::array<std::uint64_t, 15> by_return{};
  std::array<std::int32_t, 3> min_raw{INT32_MAX, INT32_MAX, INT32_MAX};
  std::array<std::int32_t, 3> max_raw{INT32_MIN, INT32_MIN, INT32_MIN};
  void add(const LasPointLayout& layout, const std::uint8_t* record);
  /// add() over `n` consecutive records, the loop kept in registers.
  void add_records(const LasPointLayout& layout, const std::uint8_t* records, std::uint64_t n);
  void merge(const LasRecordStats& other);
  /// Sets point_count, points_by_return and the bounds of `h` (in scaled units).
  void apply_to(LasHeader& h) const;
};

/// Serial convenience: writes a complete file atomically (tests, small outputs).
/// Fills count, bounds and returns in the header from the records.
void write_las_file(const std::filesystem::path& path, LasHeader header,
                    const std::vector<std::uint8_t>& records);

}  // namespace tessera::io
