// Distributed per-cell medians; see dod_median_step.hpp.
#include "dod_median_step.hpp"

#include "cell_samples.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/exchange.hpp"

namespace tessera::tiles::detail {

DodBands median_bands(const Comm& comm, const CellGrid& grid,
                      const std::vector<const PointSource*>& samples) {
  const int nranks = comm.size();
  if (nranks == 1)
    return dod_bands_from_starts({0, grid.ny});
  std::vector<std::int64_t> row_points =
      sampled_row_points(comm, grid, samples, "dod --aggregate median: sample the blocks");
  comm.allreduce(row_points, ReduceOp::sum);
  return dod_bands_from_starts(point_balanced_starts(row_points, nranks));
}

std::vector<double> median_band(const Comm& comm, EpochBlock& e, const PointSource& points,
                                const CellGrid& grid, const DodBands& bands) {
  const int nranks = comm.size(), me = comm.rank();
  const double scale = e.header.scale[2], offset = e.header.offset[2];
  const std::int64_t cells = bands.cells(grid, me);
  // Samples of this rank's band stay where they are read; the others are
  // kept per owner and travel once. Cells are band-relative (uint32).
  std::vector<CellSample> local;
  std::vector<std::vector<CellSample>> away(static_cast<std::size_t>(nranks));
  if (nranks == 1) {
    local.reserve(e.count);
    for_each_cell_sample(comm, e, points, grid, [&](std::int64_t c, std::int32_t z) {
      local.push_back({static_cast<std::uint32_t>(c), z});
    });
  } else {
    const std::vector<int> owner_of_row = dod_row_owners(grid, bands);
    for_each_cell_sample(comm, e, points, grid, [&](std::int64_t c, std::int32_t z) {
      const int owner = owner_of_row[static_cast<std::size_t>(c / grid.nx)];
      const auto rel = static_cast<std::uint32_t>(c - bands.first_cell(grid, owner));
      if (owner == me)
        local.push_back({rel, z});
      else
        away[static_cast<std::size_t>(owner)].push_back({rel, z});
    });
    const std::vector<CellSample> got = exchange_by_rank(comm, away, "dod --aggregate median");
    local.insert(local.end(), got.begin(), got.end());
  }
  // In a phase: a rank that failed here (a sample outside its band, memory)
  // would otherwise leave the others waiting in the next collective.
  std::vector<double> part;
  run_phase(comm, "dod --aggregate median: cell medians",
            [&] { part = cell_medians(local, 0, cells, scale, offset); });
  return part;
}

}  // namespace tessera::tiles::detail
