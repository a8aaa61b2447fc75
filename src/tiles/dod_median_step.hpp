// The distributed per-cell median of one epoch (private to src/tiles).
//
// Medians do not merge across ranks the way the integer sums, counts, minima
// and maxima of the other aggregates do, so here the points move instead:
// the raster's rows (row 0 = north) are cut into one contiguous band per
// rank, balanced by the number of points per row (summed over ranks), and
// every rank sends each point's (cell, integer Z) — 8 bytes, not the 48 of a
// TilePoint — to the owner of its row with MPI_Alltoall + MPI_Alltoallv.
// Each owner sorts its cells' values and takes exact medians (cell_medians);
// the bands are gathered on rank 0 in row order. A cell's multiset of
// integer Z does not depend on how the points were spread over ranks, so the
// raster is the same, bit for bit, at any rank count; no halo is needed.
#pragma once

#include <vector>

#include "tessera/core/mpi.hpp"
#include "tessera/tiles/dod.hpp"
#include "tessera/tiles/epoch.hpp"

namespace tessera::tiles::detail {

/// Collective. The median surface of `e` on `grid` (row 0 north, NaN for
/// empty cells) on rank 0; an empty vector on the other ranks. `points` (e's
/// block, e.g. block_points) is walked once; its count goes to
/// require_selected, which throws on every rank for an empty epoch.
std::vector<double> median_surface(const Comm& comm, EpochBlock& e, const PointSource& points,
                                   const CellGrid& grid);

}  // namespace tessera::tiles::detail
