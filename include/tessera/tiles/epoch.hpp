// The distributed side of the tiles pipeline: reading an epoch in parallel,
// moving points to tile owners, and writing a LAS output from many ranks.
//
//   read_epoch      every rank preads its own block of records (each byte of
//                   the file is read once, by one rank) and decodes them
//   open_epoch,     the same block, mapped instead of decoded: walks decode
//   map_block       it on the fly (block_points: dod's grids; scan_block and
//                   exchange_scanned: c2c's tile slots)
//   plan_tiles      core point counts per tile, summed over ranks, give the
//                   tile costs; owners are balanced like LPT but keep a tile
//                   on the rank holding most of its points when that fits
//                   (tile_owners.hpp)
//   exchange_points each point goes to the owner of its core tile and, for a
//                   halo > 0, to the owners of the tiles whose halo holds it
//                   (MPI_Alltoall of counts, then MPI_Alltoallv)
//   exchange_round  the same for the tiles of one round only (tile_rounds.hpp),
//                   the read block kept for the next round
//   scan_block,     a mapped block's records listed under their tiles in one
//   exchange_scanned walk; each round decodes only its tiles' records, into
//                   buffers reused from round to round (c2c)
//   write_tiled_las outputs are ordered by tile, then by input record index:
//                   the same file whatever the number of ranks or the tiling's
//                   assignment; every rank pwrites its tiles' records
//                   into a CollectiveAtomicFile (TiledLasWriter, which can
//                   also take them round by round).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tessera/core/mpi.hpp"
#include "tessera/io/las_format.hpp"
#include "tessera/io/las_reader.hpp"
#include "tessera/tiles/tile_grid.hpp"
#include "tessera/tiles/tile_point.hpp"

namespace tessera::tiles {

/// Classes from "2", "2,9" or "all" (empty = all).
std::vector<int> parse_classes(const std::string& text);

/// Decodes one record into a TilePoint (coordinates scaled, returns in the
/// 1.4 layout whatever the input format).
TilePoint decode_point(const io::LasHeader& header, const io::LasPointLayout& layout,
                       const std::uint8_t* record, std::uint64_t id);
/// Encodes a point as a format-6 record (30 bytes) with `header`'s scale and offset.
void encode_point6(const TilePoint& p, const io::LasHeader& header, std::uint8_t* record);

struct EpochBlock {
  std::filesystem::path path;
  io::LasHeader header;
  std::uint64_t first = 0;          ///< first record of this rank's block
  std::uint64_t count = 0;          ///< records in this rank's block
  std::vector<TilePoint> points;    ///< decoded points of the wanted classes
  std::vector<std::uint8_t> raw;    ///< the block's records (keep_raw)
  std::int64_t total_selected = 0;  ///< points of the wanted classes, all ranks
  std::string label;                ///< "A", "B": names the epoch in messages
  std::vector<int> classes;         ///< the wanted classes (empty: all)
  /// The open file, kept by open_epoch for map_block and the record layout
  /// (read_epoch closes it once `points` hold the block).
  std::shared_ptr<const io::LasReader> reader;
  MappedRange records;  ///< the block's records, mapped by map_block
  /// The xy box grids and tiles cover: the header's bounds, or the wanted
  /// points' actual extent when some lie outside them (check_extent).
  std::array<double, 2> box_min{0, 0}, box_max{0, 0};
  std::int64_t outside = 0;  ///< wanted points outside the header's bounds, all ranks
};

/// Collective. Validates the file (on every rank, so a bad file fails
/// everywhere alike), reads this rank's block, keeps the wanted classes.
/// Throws FormatError when no point of the wanted classes exists ("empty epoch").
EpochBlock read_epoch(const Comm& comm, const std::filesystem::path& path,
                      const std::vector<int>& classes, const std::string& label,
                      bool keep_raw = false);

/// Collective. Validates the file like read_epoch and fixes this rank's
/// block, but reads nothing yet: map_block maps the records, and
/// block_points decodes them for each pass that needs them.
/// `total_selected` is set by require_selected.
EpochBlock open_epoch(const Comm& comm, const std::filesystem::path& path,
                      const std::vector<int>& classes, const std::string& label);

/// Collective: sums `local` (this rank's points of the wanted classes) into
/// block.total_selected; throws FormatError ("empty epoch") on every rank
/// when it is 0.
void require_selected(const Comm& comm, EpochBlock& block, std::int64_t local);

/// A rank's points in id order, handed to `visit` in consecutive chunks
/// (pointer, count). A source may be walked any number of times.
using PointChunk = std::function<void(const TilePoint*, std::size_t)>;
using PointSource = std::function<void(const PointChunk&)>;

/// The points of `v`, one chunk.
PointSource vector_points(const std::vector<TilePoint>& v);
/// Collective: maps an open_epoch block's records (block.records): the
/// block is read once from the file, into the page cache, and each walk
/// reads it there (bytes read = the block's bytes). The extent is not
/// checked here (check_extent, or scan_block's count).
void map_block(const Comm& comm, EpochBlock& block);
/// The wanted points of a mapped open_epoch block, decoded in chunks that
/// stay in cache (read_epoch's decoding, so the same values). Each walk
/// decodes again, instead of keeping the decoded block (48 bytes a point).
/// With `stride` k > 1, only records 0, k, 2k, ... of the block (those of
/// the wanted classes): a sample that costs about 1/k of a walk.
PointSource block_points(const EpochBlock& block, std::uint64_t stride = 1);

/// Where each point of a source goes, from one pass over it: what the
/// exchange, the tile plan, the rounds and the output layout all need.
struct TileScan {
  /// Per point, in source order: its core tile, or ~tile (negative) when it
  /// also has halo copies (so only those points look for halo tiles again).
  std::vector<std::int32_t> own;
  std::vector<std::int64_t> core;    ///< core points per tile
  std::vector<std::int64_t> copies;  ///< core + halo copies per tile
};
/// Pure: the scan of `source` on `grid` for halo copies within `halo`
/// (0: core only). `expected`: the points the source may hold (reserved once).
TileScan scan_tiles(const TileGrid& grid, const PointSource& source, double halo,
                    std::size_t expected = 0);

/// Collective (read_epoch calls it; c2c when scan_block counted points
/// outside, dod after map_block): counts the wanted points
/// outside the header's xy bounds (by more than half a scale step: headers
/// store rounded bounds) over every rank. When there are any, block.box_min
/// and box_max become the points' actual extent and rank 0 warns
/// naming the file, the count and both boxes: real files' headers are
/// sometimes wrong (PDAL's spurious.las), and a grid from the header alone
/// would drop those points (DoD) or clamp them into edge tiles.
void check_extent(const Comm& comm, EpochBlock& block);

/// Throws UsageError naming both files when their boxes do not overlap.
void require_overlap(const EpochBlock& a, const EpochBlock& b);
/// The tile grid over the union of both epochs' boxes (box_min, box_max).
TileGrid union_grid(const EpochBlock& a, const EpochBlock& b, double tile_size);

struct TilePlan {
  TileGrid grid;
  std::vector<int> owner;            ///< rank per tile
  std::vector<std::int64_t> points;  ///< core points per tile (all epochs)
};
/// Collective: tile costs from core counts of the given epochs; owners by
/// local_first_owners (tile_owners.hpp).
TilePlan plan_tiles(const Comm& comm, const TileGrid& grid,
                    const std::vector<const std::vector<TilePoint>*>& epochs);
/// The same from this rank's core counts per tile of each epoch (TileScan::core).
TilePlan plan_tiles_from_counts(const Comm& comm, const TileGrid& grid,
                                const std::vector<const std::vector<std::int64_t>*>& core_counts);

/// Collective: moves points to tile owners (core + halo copies). `local` is
/// consumed. Returns this rank's points sorted by (tile, id); `tile` is set.
std::vector<TilePoint> exchange_points(const Comm& comm, const TilePlan& plan,
                                       std::vector<TilePoint>&& local, double halo);

/// Collective: one round of the exchange — only the copies (core + halo) of
/// `local`'s points bound for tiles with `active[t] != 0` move. `local` is
/// kept for the next rounds, unless `last` (then it is freed once the send
/// buffer is built). Returns this rank's points of its active tiles sorted
/// by (tile, id), exactly as exchange_points would for those tiles.
std::vector<TilePoint> exchange_round(const Comm& comm, const TilePlan& plan,
                                      std::vector<TilePoint>& local, double halo,
                                      const std::vector<std::uint8_t>& active, bool last);

/// Each tile's copies (core and halo) of a mapped block's wanted points, as
/// record numbers within the block, ascending: 4 bytes a copy, so that each
/// round decodes only its own tiles' records. Also what scan_tiles gives
/// the plan: the core and copy counts per tile.
struct TileRecords {
  std::vector<std::vector<std::uint32_t>> records;  ///< per tile
  std::vector<std::int64_t> core;                   ///< core points per tile
  std::int64_t outside = 0;  ///< wanted points outside the header's bounds (this block)
  std::vector<std::int64_t> copies() const;  ///< core + halo copies per tile
  std::int64_t points() const;               ///< wanted points of the block
};
/// Pure: one walk over a mapped open_epoch block (only x and y decoded):
/// each wanted record listed under its core tile and the tiles whose halo
/// (`halo`, 0: none) holds it. The counts equal scan_tiles'.
TileRecords scan_block(const TileGrid& grid, const EpochBlock& block, double halo);

/// An exchange's buffers, kept from one round to the next: later rounds
/// overwrite the memory of the first instead of allocating and filling
/// fresh vectors.
/// Points stored without being initialised: growing it neither copies nor
/// fills (std::vector would do both, ~0.04 s a run at 2 ranks on the medium
/// pair), since every slot is written by the exchange before it is read.
/// TilePoint is an implicit-lifetime aggregate, so malloc'd storage holds
/// its objects.
class PointBuffer {
 public:
  /// `n` slots, contents unspecified (the earlier ones kept when there was room).
  TilePoint* resize(std::size_t n);
  TilePoint* data() { return data_.get(); }
  std::span<const TilePoint> view() const { return {data_.get(), size_}; }

 private:
  struct Free {
    void operator()(TilePoint* p) const noexcept;
  };
  std::unique_ptr<TilePoint, Free> data_;
  std::size_t size_ = 0, capacity_ = 0;
};

struct ExchangeBuffers {
  PointBuffer points;  ///< the round's points of this rank's tiles
  PointBuffer send;    ///< the round's outgoing copies
};

/// Collective: exchange_round for a mapped open_epoch block, given its tile
/// index (scan_block on plan.grid): the round's records are decoded straight
/// into their tile slots (or the send buffer), with no decoded copy of the
/// block and nothing decoded for the other rounds' tiles. Same result as
/// exchange_round on the decoded block, in buffers.points (returned).
std::span<const TilePoint> exchange_scanned(const Comm& comm, const TilePlan& plan,
                                            const EpochBlock& block, const TileRecords& index,
                                            const std::vector<std::uint8_t>& active,
                                            ExchangeBuffers& buffers);

/// [begin, end) of each tile's run in a vector sorted by tile.
std::map<int, std::pair<std::size_t, std::size_t>> tile_runs(std::span<const TilePoint> pts);

/// Header of a Tessera output: LAS 1.4, format 6 + extra dimensions, scale
/// and offset of `like`, its CRS VLRs copied, plus the extra-bytes VLR.
io::LasHeader output_header(const io::LasHeader& like, const std::vector<io::LasExtraBytes>& extra);

/// Collective: writes the records of each tile this rank holds (encoded
/// with header.record_length) so the file holds all tiles in tile order.
/// All records at once; TiledLasWriter (tiled_las_writer.hpp) writes them
/// round by round.
/// Header counts and bounds are computed from the records. Atomic.
void write_tiled_las(const Comm& comm, const std::filesystem::path& out, io::LasHeader header,
                     int tile_count, const std::map<int, std::vector<std::uint8_t>>& records,
                     bool clobber);

/// Collective: writes `records` of this rank after those of lower ranks
/// (block order). Header counts and bounds are computed. Atomic.
void write_block_las(const Comm& comm, const std::filesystem::path& out, io::LasHeader header,
                     const std::vector<std::uint8_t>& records, bool clobber);

}  // namespace tessera::tiles
