// The distributed per-cell median of one epoch (private to src/tiles).
//
// Medians do not merge across ranks the way the integer sums, counts, minima
// and maxima of the other aggregates do, so here the points move instead:
// the raster's rows (row 0 = north) are cut into one contiguous band per
// rank, balanced by the points per row of both epochs (counted on every
// 16th record, summed over ranks: median_bands), and every rank sends each
// point's (band-relative cell, integer Z) — 8 bytes, not the 48 of a
// TilePoint — to the owner of its row (exchange_records). Each owner sorts
// its cells' values and takes exact medians (cell_medians), and keeps its
// band: both epochs are banded alike, so the difference is formed per band
// and nothing is gathered. A cell's multiset of integer Z does not depend on
// how the points were spread over ranks or on the bands, so the raster is
// the same, bit for bit, at any rank count; no halo is needed.
#pragma once

#include <vector>

#include "tessera/core/mpi.hpp"
#include "tessera/tiles/dod.hpp"
#include "tessera/tiles/dod_bands.hpp"
#include "tessera/tiles/epoch.hpp"

namespace tessera::tiles::detail {

/// Collective. One contiguous band of rows per rank (rank r the r-th from
/// the north), balanced by the points per row that `samples` (strided walks
/// of both epochs' blocks) count, summed over ranks. One band at one rank.
DodBands median_bands(const Comm& comm, const CellGrid& grid,
                      const std::vector<const PointSource*>& samples);

/// Collective. This rank's band (of `bands`, row 0 north, NaN for empty
/// cells) of e's median surface. `points` (e's block, e.g. block_points) is
/// walked once; its count goes to require_selected, which throws on every
/// rank for an empty epoch. Bands must hold at most kDodBandCells cells.
std::vector<double> median_band(const Comm& comm, EpochBlock& e, const PointSource& points,
                                const CellGrid& grid, const DodBands& bands);

}  // namespace tessera::tiles::detail
