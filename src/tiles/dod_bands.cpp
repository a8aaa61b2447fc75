// DoD row bands and their moves; see include/tessera/tiles/dod_bands.hpp.
#include "tessera/tiles/dod_bands.hpp"

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>

#include "tessera/core/error.hpp"

namespace tessera::tiles {

BlockRange dod_row_block(const CellGrid& grid, int nranks, int block) {
  return block_range(grid.ny, nranks, block);
}

BlockRange dod_tile_row_block(const CellGrid& grid, int nranks, int block) {
  const std::int64_t tile_rows = (grid.ny + kDodTileRows - 1) / kDodTileRows;
  const BlockRange t = block_range(tile_rows, nranks, block);
  return {std::min<std::int64_t>(t.begin * kDodTileRows, grid.ny),
          std::min<std::int64_t>(t.end * kDodTileRows, grid.ny)};
}

DodBands dod_bands_of(const CellGrid& grid, const std::vector<int>& block_of,
                      BlockRange (*block)(const CellGrid&, int, int)) {
  DodBands b;
  const int nranks = static_cast<int>(block_of.size());
  for (int r = 0; r < nranks; ++r) {
    const BlockRange rows = block(grid, nranks, block_of[static_cast<std::size_t>(r)]);
    b.first_row.push_back(rows.begin);
    b.rows.push_back(rows.size());
  }
  return b;
}

DodBands dod_bands_from_starts(const std::vector<std::int64_t>& start) {
  DodBands b;
  for (std::size_t r = 0; r + 1 < start.size(); ++r) {
    b.first_row.push_back(start[r]);
    b.rows.push_back(start[r + 1] - start[r]);
  }
  return b;
}

std::vector<int> identity_blocks(int nranks) {
  std::vector<int> v(static_cast<std::size_t>(nranks));
  for (int k = 0; k < nranks; ++k)
    v[static_cast<std::size_t>(k)] = k;
  return v;
}

std::vector<std::int64_t> point_balanced_starts(const std::vector<std::int64_t>& row_points,
                                                int nranks) {
  const auto rows = static_cast<std::int64_t>(row_points.size());
  std::int64_t total = 0;
  for (std::int64_t n : row_points)
    total += n;
  std::vector<std::int64_t> start(static_cast<std::size_t>(nranks) + 1, rows);
  start[0] = 0;
  std::int64_t row = 0, seen = 0;
  for (int r = 1; r < nranks; ++r) {
    // Rank r starts at the first row whose points come after r/P of the total.
    const std::int64_t target = total / nranks * r + total % nranks * r / nranks;
    while (row < rows && seen + row_points[static_cast<std::size_t>(row)] <= target) {
      seen += row_points[static_cast<std::size_t>(row)];
      ++row;
    }
    start[static_cast<std::size_t>(r)] = row;
  }
  return start;
}

std::vector<int> dod_row_owners(const CellGrid& grid, const DodBands& bands) {
  std::vector<int> owner(static_cast<std::size_t>(grid.ny), 0);
  for (std::size_t r = 0; r < bands.rows.size(); ++r)
    std::fill_n(owner.begin() + bands.first_row[r], bands.rows[r], static_cast<int>(r));
  return owner;
}

void require_band_cells(const CellGrid& grid, const DodBands& bands, std::int64_t max_cells) {
  for (std::size_t r = 0; r < bands.rows.size(); ++r) {
    const std::int64_t cells = bands.cells(grid, static_cast<int>(r));
    if (cells > max_cells) {
      throw UsageError("the DoD raster (" + std::to_string(grid.size()) + " cells) would put " +
                       std::to_string(cells) + " cells on rank " + std::to_string(r) +
                       ", more than " + std::to_string(max_cells) +
                       "; run on more ranks or use a larger --cell");
    }
  }
}

std::vector<DodPiece> dod_pieces(std::int64_t n, std::int64_t max) {
  if (max <= 0)
    throw std::invalid_argument("dod_pieces: max must be positive");
  std::vector<DodPiece> p;
  for (std::int64_t at = 0; at < n; at += max)
    p.push_back({at, std::min(max, n - at)});
  return p;
}

std::vector<DodRect> dod_rects(std::int64_t rows, std::int64_t nx, std::int64_t max,
                               std::int64_t align) {
  if (max <= 0 || align <= 0)
    throw std::invalid_argument("dod_rects: max and align must be positive");
  std::vector<DodRect> out;
  if (rows <= 0 || nx <= 0)
    return out;
  if (nx <= max) {
    std::int64_t step = max / nx;
    if (step >= align)
      step -= step % align;
    for (std::int64_t r = 0; r < rows; r += step)
      out.push_back({r, std::min(step, rows - r), 0, nx});
    return out;
  }
  for (std::int64_t r = 0; r < rows; ++r) {
    for (const DodPiece& c : dod_pieces(nx, max))
      out.push_back({r, 1, c.offset, c.count});
  }
  return out;
}

std::vector<double> reband(const Comm& comm, const CellGrid& grid, const DodBands& from,
                           const DodBands& to, const std::vector<double>& mine,
                           std::int64_t max_piece) {
  const int nranks = comm.size(), me = comm.rank();
  if (nranks == 1)
    return mine;
  // Rows both of x's band of rank rx and y's band of rank ry.
  auto overlap = [](const DodBands& x, int rx, const DodBands& y, int ry) {
    const std::int64_t xb = x.first_row[static_cast<std::size_t>(rx)];
    const std::int64_t xe = xb + x.rows[static_cast<std::size_t>(rx)];
    const std::int64_t yb = y.first_row[static_cast<std::size_t>(ry)];
    const std::int64_t ye = yb + y.rows[static_cast<std::size_t>(ry)];
    const std::int64_t b = std::max(xb, yb);
    return BlockRange{b, std::max(b, std::min(xe, ye))};
  };
  const std::int64_t nx = grid.nx;
  const std::int64_t from0 = from.first_row[static_cast<std::size_t>(me)];
  const std::int64_t to0 = to.first_row[static_cast<std::size_t>(me)];
  std::vector<double> band(static_cast<std::size_t>(to.cells(grid, me)));
  // Point to point rather than one MPI_Alltoallv: its int displacements
  // would limit a band to 2^31 cells, and between bandings of one
  // assignment only the rows near the band edges move, to one or two
  // neighbours. Pieces between two ranks share one tag and arrive in the
  // order posted (MPI's non-overtaking rule).
  constexpr int kTag = 2101;
  std::vector<Run<double>> recvs;
  std::vector<Run<const double>> sends;
  for (int q = 0; q < nranks; ++q) {
    const BlockRange in = overlap(from, q, to, me);
    if (q == me || in.size() == 0)
      continue;
    double* at = band.data() + (in.begin - to0) * nx;
    for (const DodPiece& p : dod_pieces(in.size() * nx, max_piece))
      recvs.push_back({q, at + p.offset, static_cast<std::size_t>(p.count)});
  }
  for (int q = 0; q < nranks; ++q) {
    const BlockRange out = overlap(from, me, to, q);
    if (out.size() == 0)
      continue;
    const double* at = mine.data() + (out.begin - from0) * nx;
    if (q == me) {
      std::copy(at, at + out.size() * nx, band.data() + (out.begin - to0) * nx);
      continue;
    }
    for (const DodPiece& p : dod_pieces(out.size() * nx, max_piece))
      sends.push_back({q, at + p.offset, static_cast<std::size_t>(p.count)});
  }
  // Pieces of at most max_piece (the same on every rank): within MPI's int
  // counts without a collective check.
  comm.exchange_runs(recvs, sends, kTag, max_piece <= INT_MAX);
  return band;
}

}  // namespace tessera::tiles
