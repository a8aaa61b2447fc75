// An epoch's block: the part of one input file a rank reads.
//
//   open_epoch      every rank validates the file and fixes its block of
//                   records (for LAZ, whole chunks); nothing is read yet
//   map_block       maps the block (read once, into the page cache); every
//                   later pass decodes the mapped records on the fly:
//   block_points    the wanted points, decoded in cache-sized chunks (dod's
//                   grids, align's sample)
//   scan_block      (tile_plan.hpp) the records listed under their tiles
//   check_extent    the wanted points' extent when the header's is wrong
//
// The other parts of the distributed tiles path: tile_plan.hpp (the tile
// grid's owners and the per-tile record index), tile_rounds.hpp (rounds
// under a memory budget), tile_exchange.hpp (points to tile owners),
// tiled_las_writer.hpp (outputs), tile_pair_step.hpp (the skeleton of a
// two-epoch tile step). LAS point records: io/las_point_record.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
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

struct EpochBlock {
  std::filesystem::path path;
  io::LasHeader header;
  std::uint64_t first = 0;          ///< first record of this rank's block
  std::uint64_t count = 0;          ///< records in this rank's block
  std::int64_t total_selected = 0;  ///< points of the wanted classes, all ranks
  std::string label;                ///< "A", "B": names the epoch in messages
  std::vector<int> classes;         ///< the wanted classes (empty: all)
  /// The open file, kept for map_block and the record layout.
  std::shared_ptr<const io::LasReader> reader;
  MappedRange records;  ///< the block's records, mapped by map_block
  /// The xy box grids and tiles cover: the header's bounds, or the wanted
  /// points' actual extent when some lie outside them (check_extent).
  std::array<double, 2> box_min{0, 0}, box_max{0, 0};
  std::int64_t outside = 0;  ///< wanted points outside the header's bounds, all ranks

  /// The decoder of this file's records.
  io::LasPointDecoder decoder() const { return {header, reader->layout()}; }
};

/// Collective. Validates the file (on every rank, so a bad file fails
/// everywhere alike) and fixes this rank's block, but reads nothing yet:
/// map_block maps the records. `total_selected` is set by require_selected.
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

/// Collective: maps an open_epoch block's records (block.records): the
/// block is read once from the file, into the page cache, and each walk
/// reads it there (bytes read = the block's bytes). The extent is not
/// checked here (check_extent, or scan_block's count).
void map_block(const Comm& comm, EpochBlock& block);
/// Throws ParallelError unless `block` was opened and mapped.
void require_mapped(const EpochBlock& block);
/// The wanted points of a mapped block, decoded in chunks that stay in
/// cache. Each walk decodes again, instead of keeping the decoded block (48
/// bytes a point). With `stride` k > 1, only records 0, k, 2k, ... of the
/// block (those of the wanted classes): a sample that costs about 1/k of a walk.
PointSource block_points(const EpochBlock& block, std::uint64_t stride = 1);

/// Collective (a step after its first walk counted points outside the
/// header's bounds, dod after map_block): counts the wanted points outside
/// the header's xy bounds (by more than half a scale step: headers store
/// rounded bounds) over every rank. When there are any, block.box_min and
/// box_max become the points' actual extent and rank 0 warns naming the
/// file, the count and both boxes: real files' headers are sometimes wrong
/// (PDAL's spurious.las), and a grid from the header alone would drop
/// those points (DoD) or clamp them into edge tiles.
void check_extent(const Comm& comm, EpochBlock& block);

/// Throws UsageError naming both files when their boxes do not overlap.
void require_overlap(const EpochBlock& a, const EpochBlock& b);
/// The tile grid over the union of both epochs' boxes (box_min, box_max).
TileGrid union_grid(const EpochBlock& a, const EpochBlock& b, double tile_size);

/// The header box widened by half a scale step: bounds are stored rounded,
/// so a point on the edge may decode a hair outside them.
struct HeaderBox {
  explicit HeaderBox(const io::LasHeader& h)
      : lo{h.min[0] - 0.5 * std::abs(h.scale[0]), h.min[1] - 0.5 * std::abs(h.scale[1])},
        hi{h.max[0] + 0.5 * std::abs(h.scale[0]), h.max[1] + 0.5 * std::abs(h.scale[1])} {}
  bool outside(double x, double y) const {
    return x < lo[0] || x > hi[0] || y < lo[1] || y > hi[1];
  }
  double lo[2], hi[2];
};

}  // namespace tessera::tiles
