// The tile plan: which rank owns each tile, and each rank's records listed
// under their tiles.
//
// scan_block lists a mapped block's wanted records under their core tile
// and the tiles whose halo holds them (4 bytes a copy): the counts give the
// plan, the rounds and the output layout, and each round decodes only its
// own tiles' records (tile_exchange.hpp).
//
// Owners (plan_tiles): points reach a tile's owner through the exchange,
// and every point whose tile is owned elsewhere crosses between ranks: at 2
// ranks on the medium pair, plain LPT sent about half of the points, and
// the exchange took longer than at one rank. Lidar files are written in
// spatial order (scan lines, flight lines, or tiles), so a rank's contiguous
// block of records covers a compact area, and most tiles have one rank that
// holds most of their points: their holder. lpt_plan's holder-first pass
// (core/partition.hpp) keeps a tile with its holder while the holder stays
// within the mean load, then places the rest by LPT: ~10 % of the points
// cross at 2 ranks. Owners never change an output's bytes (outputs are
// ordered by tile and record index), only where the work is done.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/core/mpi.hpp"
#include "tessera/tiles/epoch.hpp"
#include "tessera/tiles/tile_grid.hpp"

namespace tessera::tiles {

struct TilePlan {
  TileGrid grid;
  std::vector<int> owner;            ///< rank per tile
  std::vector<std::int64_t> points;  ///< core points per tile (all epochs)
};

/// Collective: tile costs from this rank's core points per tile of each
/// epoch (TileRecords::core), summed over ranks; each tile's holder is the
/// rank with most of its core points (ties to the lower rank); owners by
/// lpt_plan with the holder-first pass.
TilePlan plan_tiles(const Comm& comm, const TileGrid& grid,
                    const std::vector<const std::vector<std::int64_t>*>& core_counts);

/// Each tile's copies (core and halo) of a mapped block's wanted points, as
/// record numbers within the block, ascending: 4 bytes a copy, so that each
/// round decodes only its own tiles' records.
struct TileRecords {
  std::vector<std::vector<std::uint32_t>> records;  ///< per tile
  std::vector<std::int64_t> core;                   ///< core points per tile
  std::int64_t outside = 0;  ///< wanted points outside the header's bounds (this block)
  std::vector<std::int64_t> copies() const;  ///< core + halo copies per tile
  std::int64_t points() const;               ///< wanted points of the block
};
/// Pure: one walk over a mapped open_epoch block (only x and y decoded):
/// each wanted record listed under its core tile and the tiles whose halo
/// (`halo`, 0: none) holds it.
TileRecords scan_block(const TileGrid& grid, const EpochBlock& block, double halo);

/// Pure: per tile, the block's wanted points in their core tile whose id
/// (record index in the file) is a multiple of `step`: an output's records
/// per tile when its points are every step-th point (m3c2's core points).
std::vector<std::int64_t> core_points_every(const TileGrid& grid, const EpochBlock& block,
                                            const TileRecords& index, std::uint64_t step);

}  // namespace tessera::tiles
