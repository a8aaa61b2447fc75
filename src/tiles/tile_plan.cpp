// The tile plan and the per-tile record index; see include/tessera/tiles/tile_plan.hpp.
#include "tessera/tiles/tile_plan.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <numeric>

#include "tessera/core/error.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/io/las_point_record.hpp"

namespace tessera::tiles {

TilePlan plan_tiles(const Comm& comm, const TileGrid& grid,
                    const std::vector<const std::vector<std::int64_t>*>& core_counts) {
  TilePlan plan;
  plan.grid = grid;
  plan.points.assign(static_cast<std::size_t>(grid.count()), 0);
  for (const auto* counts : core_counts) {
    for (std::size_t t = 0; t < plan.points.size(); ++t)
      plan.points[t] += (*counts)[t];
  }
  // Each tile's holder: the rank with most of its core points, before the
  // counts are summed.
  const std::vector<int> holder = comm.allreduce_argmax(plan.points);
  comm.allreduce(plan.points, ReduceOp::sum);
  const std::vector<double> weights(plan.points.begin(), plan.points.end());
  plan.owner = lpt_plan(weights, comm.size(), {}, holder).owner;
  return plan;
}

TileRecords scan_block(const TileGrid& grid, const EpochBlock& block, double halo) {
  require_mapped(block);
  // Record numbers within the block are 32-bit: 0 .. 2^32 - 1.
  if (block.count > std::uint64_t{std::numeric_limits<std::uint32_t>::max()} + 1) {
    throw UsageError("epoch " + block.label + " (" + block.path.string() +
                     "): " + std::to_string(block.count) +
                     " records in one rank's block, more than 2^32: run with more ranks");
  }
  const auto ntiles = static_cast<std::size_t>(grid.count());
  TileRecords ix;
  ix.records.resize(ntiles);
  ix.core.assign(ntiles, 0);
  const io::LasHeader& h = block.header;
  const io::LasPointDecoder dec = block.decoder();
  const std::array<bool, 256> wanted = io::wanted_classes(block.classes);
  std::vector<int> halo_tiles;
  std::vector<std::int64_t> halo_copies(ntiles, 0);
  const std::uint8_t* records = block.records.data();
  // In chunks, two passes: the first finds each wanted record's tile (only
  // x and y decoded; ~tile for
  // the few with halo copies) with nothing carried from one record to the
  // next; the second appends the runs of records of one tile (files are
  // mostly in acquisition or grid order: long runs) and places the halo
  // copies. Records are visited in order, so each tile's list is ascending.
  constexpr std::uint64_t kChunk = 4096;
  std::vector<std::int32_t> code(kChunk);
  std::vector<std::uint32_t> rec_no(kChunk);
  // Points outside the header's bounds are counted on the way (check_extent's
  // test), so that a file whose header is right costs no extra walk.
  const HeaderBox box(h);
  for (std::uint64_t at = 0; at < block.count; at += kChunk) {
    const std::uint64_t end = std::min(block.count, at + kChunk);
    std::size_t m = 0;
    for (std::uint64_t r = at; r < end; ++r) {
      const std::uint8_t* rec = records + r * h.record_length;
      if (!wanted[dec.class_of(rec)])
        continue;
      const double x = dec.x(rec), y = dec.y(rec);
      if (box.outside(x, y))
        ++ix.outside;
      const int oc = grid.column(x), orow = grid.row(y);
      const int own = orow * grid.nx + oc;
      const bool inside = halo <= 0 || grid.deep_inside(x, y, oc, orow, halo);
      code[m] = inside ? own : ~own;
      rec_no[m] = static_cast<std::uint32_t>(r);
      ++m;
    }
    for (std::size_t k = 0; k < m;) {
      if (code[k] < 0) {
        const auto own = static_cast<std::size_t>(~code[k]);
        ix.records[own].push_back(rec_no[k]);
        const std::uint8_t* rec = records + std::uint64_t{rec_no[k]} * h.record_length;
        grid.halo_tiles(dec.x(rec), dec.y(rec), halo, halo_tiles);
        for (int t : halo_tiles) {
          ix.records[static_cast<std::size_t>(t)].push_back(rec_no[k]);
          ++halo_copies[static_cast<std::size_t>(t)];
        }
        ++k;
        continue;
      }
      std::size_t k2 = k + 1;
      while (k2 < m && code[k2] == code[k])
        ++k2;
      auto& list = ix.records[static_cast<std::size_t>(code[k])];
      list.insert(list.end(), rec_no.begin() + static_cast<std::ptrdiff_t>(k),
                  rec_no.begin() + static_cast<std::ptrdiff_t>(k2));
      k = k2;
    }
  }
  for (std::size_t t = 0; t < ntiles; ++t)
    ix.core[t] = static_cast<std::int64_t>(ix.records[t].size()) - halo_copies[t];
  return ix;
}

std::vector<std::int64_t> TileRecords::copies() const {
  std::vector<std::int64_t> c(records.size());
  for (std::size_t t = 0; t < records.size(); ++t)
    c[t] = static_cast<std::int64_t>(records[t].size());
  return c;
}

std::int64_t TileRecords::points() const {
  return std::accumulate(core.begin(), core.end(), std::int64_t{0});
}

std::vector<std::int64_t> core_points_every(const TileGrid& grid, const EpochBlock& block,
                                            const TileRecords& index, std::uint64_t step) {
  if (step <= 1)
    return index.core;
  const io::LasPointDecoder dec = block.decoder();
  const std::size_t len = block.header.record_length;
  std::vector<std::int64_t> out(index.records.size(), 0);
  for (std::size_t t = 0; t < index.records.size(); ++t) {
    for (const std::uint32_t r : index.records[t]) {
      if ((block.first + r) % step != 0)
        continue;
      const std::uint8_t* rec = block.records.data() + r * len;
      out[t] += grid.tile_of(dec.x(rec), dec.y(rec)) == static_cast<int>(t) ? 1 : 0;
    }
  }
  return out;
}

}  // namespace tessera::tiles
