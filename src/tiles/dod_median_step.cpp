// Distributed per-cell medians; see dod_median_step.hpp.
#include "dod_median_step.hpp"

#include "cell_samples.hpp"

#include <climits>
#include <cmath>

#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/exchange.hpp"
#include "tessera/core/perf.hpp"

namespace tessera::tiles::detail {

namespace {

/// Rows [band[r], band[r+1]) belong to rank r: contiguous, with about the
/// same number of points each (prefix sums of the rows' counts).
std::vector<std::int64_t> row_bands(const std::vector<std::int64_t>& row_points, int nranks) {
  const auto rows = static_cast<std::int64_t>(row_points.size());
  std::int64_t total = 0;
  for (std::int64_t n : row_points)
    total += n;
  std::vector<std::int64_t> band(static_cast<std::size_t>(nranks) + 1, rows);
  band[0] = 0;
  std::int64_t row = 0, seen = 0;
  for (int r = 1; r < nranks; ++r) {
    // Rank r starts at the first row whose points come after r/P of the total.
    const std::int64_t target = total / nranks * r + total % nranks * r / nranks;
    while (row < rows && seen + row_points[static_cast<std::size_t>(row)] <= target) {
      seen += row_points[static_cast<std::size_t>(row)];
      ++row;
    }
    band[static_cast<std::size_t>(r)] = row;
  }
  return band;
}

}  // namespace

std::vector<double> median_surface(const Comm& comm, EpochBlock& e, const PointSource& points,
                                   const CellGrid& grid) {
  const int nranks = comm.size();
  const double scale = e.header.scale[2], offset = e.header.offset[2];
  std::vector<CellSample> samples;
  samples.reserve(e.count);
  for_each_cell_sample(comm, e, points, grid, [&](std::int64_t c, std::int32_t z) {
    samples.push_back({static_cast<std::uint32_t>(c), z});
  });
  if (nranks == 1)
    return cell_medians(samples, 0, grid.size(), scale, offset);

  // Bands of rows balanced by points.
  std::vector<std::int64_t> row_points(static_cast<std::size_t>(grid.ny), 0);
  for (const CellSample& s : samples)
    ++row_points[s.cell / static_cast<std::uint32_t>(grid.nx)];
  check_mpi(
      MPI_Allreduce(MPI_IN_PLACE, row_points.data(), grid.ny, MPI_INT64_T, MPI_SUM, comm.handle()),
      "MPI_Allreduce");
  const std::vector<std::int64_t> band = row_bands(row_points, nranks);
  std::vector<int> owner_of_row(static_cast<std::size_t>(grid.ny));
  for (int r = 0; r < nranks; ++r) {
    for (std::int64_t row = band[r]; row < band[r + 1]; ++row)
      owner_of_row[static_cast<std::size_t>(row)] = r;
  }

  // Counting sort of the samples by destination rank, then the exchange.
  std::vector<std::int64_t> send_count(static_cast<std::size_t>(nranks), 0);
  for (const CellSample& s : samples)
    ++send_count[static_cast<std::size_t>(owner_of_row[s.cell / grid.nx])];
  std::vector<CellSample> send(samples.size());
  {
    std::vector<std::int64_t> fill = send_offsets(send_count);
    for (const CellSample& s : samples)
      send[static_cast<std::size_t>(
          fill[static_cast<std::size_t>(owner_of_row[s.cell / grid.nx])]++)] = s;
  }
  std::vector<CellSample>().swap(samples);
  std::vector<CellSample> mine = exchange_records(comm, send, send_count, "dod --aggregate median");
  std::vector<CellSample>().swap(send);

  // This rank's band of cells, then the bands gathered on rank 0 in rank
  // order = row order = storage order.
  const std::int64_t first = band[comm.rank()] * grid.nx;
  const std::int64_t cells = (band[comm.rank() + 1] - band[comm.rank()]) * grid.nx;
  // In a phase: a rank that failed here (a sample outside its band, memory)
  // would otherwise leave the others waiting in the gather below.
  std::vector<double> part;
  run_phase(comm, "dod --aggregate median: cell medians",
            [&] { part = cell_medians(mine, first, cells, scale, offset); });
  std::vector<int> counts(nranks), displs(nranks);
  for (int r = 0; r < nranks; ++r) {
    const std::int64_t n = (band[r + 1] - band[r]) * grid.nx;
    const std::int64_t at = band[r] * grid.nx;
    if (n > INT_MAX || at > INT_MAX)
      throw UsageError("dod --aggregate median: the raster is too large to gather (" +
                       std::to_string(grid.size()) + " cells); use a larger --cell");
    counts[r] = static_cast<int>(n);
    displs[r] = static_cast<int>(at);
  }
  std::vector<double> all;
  if (comm.is_root())
    all.resize(static_cast<std::size_t>(grid.size()));
  check_mpi(MPI_Gatherv(part.data(), static_cast<int>(part.size()), MPI_DOUBLE, all.data(),
                        counts.data(), displs.data(), MPI_DOUBLE, 0, comm.handle()),
            "MPI_Gatherv");
  return all;
}

}  // namespace tessera::tiles::detail
