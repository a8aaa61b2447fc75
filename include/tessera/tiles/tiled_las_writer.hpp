// A LAS output written tile by tile, over several rounds, by many ranks.
//
// The output holds the records of tile 0, then tile 1, ..., each tile's
// records in input-record order (the order every tiles output uses), so the
// file is the same byte for byte whatever the rank count, the tile owners or
// the number of rounds. That works without holding all records at the end
// because the number of records of every tile is known before anything is
// computed (c2c: one record per B core point; m3c2: one per core point of
// A): the constructor sums the per-tile counts over ranks, which fixes each
// tile's first record, and a finished tile is pwritten straight to its place
// (io/las_writer.hpp) and can be freed.
//
// Only the header waits for the end: its point count, counts by return and
// bounds are reduced over ranks in finish(), then rank 0 writes it at offset
// 0 (the header's size and VLRs, hence the offset of the point records, are
// fixed at construction). The file is a CollectiveAtomicFile: nothing
// appears under the final name unless every rank wrote all its tiles.
//
// An output named *.laz is staged as LAS beside it (`<out>.records.las`,
// under a temporary name) and compressed by finish() with run_convert: LAZ
// compressor 2 for point formats 0-5, 3 (layered) for 6-10.
//
// Collective: the constructor and finish(). write_tile() is local (a pwrite),
// so ranks may hand over different numbers of tiles per round.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <cstdint>
#include <functional>
#include "tessera/core/atomic_file.hpp"

#include "tessera/core/mpi.hpp"
#include "tessera/io/las_format.hpp"
#include "tessera/io/las_writer.hpp"

namespace tessera::tiles {

/// LAZ outputs (`--out x.laz`): whether `out` names one, the LAS it is
/// staged in, and the collective step that compresses the closed staged
/// file (temporary name) into `out`, atomically (as `tiles convert`: each
/// rank its own chunks). Throws on every rank if `local_ok` is false on one.
bool is_laz_output(const std::filesystem::path& out);
std::filesystem::path laz_staging_path(const std::filesystem::path& out);
void compress_staged_las(const Comm& comm, const std::filesystem::path& staged,
                         const std::filesystem::path& out, bool local_ok);

class TiledLasWriter {
 public:
  /// Collective. `local_counts[t]`: this rank's share of the records tile t
  /// will hold (e.g. the tile's core points in this rank's read block); the
  /// shares are summed over ranks to place the tiles, and the rank that
  /// writes a tile must then write exactly that many records.
  /// Throws UsageError (every rank) when `out` exists and `clobber` is false.
  TiledLasWriter(const Comm& comm, std::filesystem::path out, io::LasHeader header,
                 std::vector<std::int64_t> local_counts, bool clobber);
  ~TiledLasWriter();
  TiledLasWriter(const TiledLasWriter&) = delete;
  TiledLasWriter& operator=(const TiledLasWriter&) = delete;

  const io::LasHeader& header() const noexcept { return header_; }

  /// Local. Writes all records of `tile` (encoded with header().record_length)
  /// at the tile's place; call once per tile, on the rank that computed it.
  /// A failure (or a record count other than the summed shares)
  /// is remembered and reported by finish() on every rank.
  void write_tile(int tile, const std::vector<std::uint8_t>& records);

  /// Collective: header statistics over ranks, header on rank 0, close and
  /// rename. Throws (on every rank) if any rank failed; no output is left.
  void finish();

 private:
  const Comm& comm_;
  io::LasHeader header_;
  std::vector<std::int64_t> counts_;  ///< records of each tile (all ranks)
  std::vector<std::uint64_t> first_;  ///< first record of each tile (+ total)
  std::unique_ptr<CollectiveAtomicFile> file_;
  std::filesystem::path laz_out_;  ///< the final LAZ name, or empty for LAS output
  std::unique_ptr<io::LasRecordFile> records_;
  io::LasRecordStats stats_;
  bool ok_ = true;
};

/// Header of a Tessera output: LAS 1.4, format 6 + extra dimensions, scale
/// and offset of `like`, its CRS VLRs copied, plus the extra-bytes VLR.
io::LasHeader output_header(const io::LasHeader& like, const std::vector<io::LasExtraBytes>& extra);

/// Fills records [at, at + n) of this rank's block into `dst` (n records of
/// the header's length).
using FillRecords = std::function<void(std::uint64_t at, std::uint64_t n, std::uint8_t* dst)>;

/// Collective: writes this rank's `count` records after those of lower ranks
/// (block order), produced chunk by chunk by `fill` (so no rank holds its
/// whole block). Header counts and bounds are computed. Atomic: what `fill`
/// throws on any rank fails every rank and leaves no output.
void write_block_las(const Comm& comm, const std::filesystem::path& out, io::LasHeader header,
                     std::uint64_t count, const FillRecords& fill, bool clobber);
/// The same for records held in memory.
void write_block_las(const Comm& comm, const std::filesystem::path& out, io::LasHeader header,
                     const std::vector<std::uint8_t>& records, bool clobber);

}  // namespace tessera::tiles
