// Row bands of the DoD raster: which rows each rank holds, and how a band
// moves between ranks without ever passing through one rank whole.
//
// Every DoD aggregate is formed in bands of raster rows (row 0 north): the
// mean, min and max in even row blocks, the median in blocks balanced by
// points; the outputs (GeoTIFF tiles, NetCDF hyperslabs, volume parts) are
// written from bands of whole 256-row tile rows. `reband` moves rows from
// one banding to another, point to point, in pieces of at most `kDodPiece`
// elements: MPI counts are int (2^31 - 1), and a band of a raster over 2^31
// cells may itself exceed that. Cell samples travel band-relative (uint32,
// CellSample), so the raster may exceed 2^32 cells as long as no band does
// (`require_band_cells`). The piece and band limits are parameters so tests
// can exercise them on small rasters.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/core/mpi.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/tiles/dod.hpp"

namespace tessera::tiles {

/// Rows [first_row[r], first_row[r] + rows[r]) are rank r's band; a band
/// may be empty.
struct DodBands {
  std::vector<std::int64_t> first_row, rows;
  std::int64_t cells(const CellGrid& g, int r) const {
    return rows[static_cast<std::size_t>(r)] * g.nx;
  }
  std::int64_t first_cell(const CellGrid& g, int r) const {
    return first_row[static_cast<std::size_t>(r)] * g.nx;
  }
};

/// Elements in one message of a band (2^30: under MPI's int count with a
/// factor of two to spare).
inline constexpr std::int64_t kDodPiece = std::int64_t{1} << 30;
/// Cells a band may hold: band-relative cell indices travel as uint32.
inline constexpr std::int64_t kDodBandCells = std::int64_t{1} << 32;

/// The DoD GeoTIFF's tile edge, and the rows of one tile row.
inline constexpr int kDodTileRows = 256;

/// Row block `block` of `nranks`: the rows cut evenly.
BlockRange dod_row_block(const CellGrid& grid, int nranks, int block);
/// Row block `block` of `nranks` in whole 256-row tile rows (the last may be
/// shorter): the write's bands.
BlockRange dod_tile_row_block(const CellGrid& grid, int nranks, int block);
/// Rank r's band is block block_of[r] of `block`'s kind.
DodBands dod_bands_of(const CellGrid& grid, const std::vector<int>& block_of,
                      BlockRange (*block)(const CellGrid&, int, int));
/// Rank r's band starts at row start[r] and ends at start[r + 1] (size P + 1).
DodBands dod_bands_from_starts(const std::vector<std::int64_t>& start);
/// Block k on rank k.
std::vector<int> identity_blocks(int nranks);

/// Pure. Band starts (size nranks + 1) of contiguous rows with about the same
/// number of points each, from the points of every row (prefix sums).
std::vector<std::int64_t> point_balanced_starts(const std::vector<std::int64_t>& row_points,
                                                int nranks);

/// The rank owning each row (grid.ny entries).
std::vector<int> dod_row_owners(const CellGrid& grid, const DodBands& bands);

/// Throws UsageError (on every rank alike: bands are the same everywhere)
/// when a band holds more than `max_cells` cells.
void require_band_cells(const CellGrid& grid, const DodBands& bands,
                        std::int64_t max_cells = kDodBandCells);

/// [offset, offset + count) of one piece.
struct DodPiece {
  std::int64_t offset, count;
};
/// Pure. [0, n) cut into consecutive pieces of at most `max` (> 0) elements;
/// none when n is 0.
std::vector<DodPiece> dod_pieces(std::int64_t n, std::int64_t max);

/// A rectangle of a band: rows [row, row + rows) (band-relative) by columns
/// [col, col + cols).
struct DodRect {
  std::int64_t row, rows, col, cols;
};
/// Pure. A band of `rows` rows `nx` wide cut into row-major rectangles of at
/// most `max` (> 0) cells: whole rows when a row fits (a multiple of `align`
/// rows when that many fit, so compressed chunks of `align` rows are never
/// split between writes), else pieces of one row.
std::vector<DodRect> dod_rects(std::int64_t rows, std::int64_t nx, std::int64_t max,
                               std::int64_t align = kDodTileRows);

/// Collective. This rank's rows of `to` from the rows of `from` on every rank:
/// the rows of this rank's `from` band go to each rank whose `to` band holds
/// them, point to point in pieces of at most `max_piece` doubles.
std::vector<double> reband(const Comm& comm, const CellGrid& grid, const DodBands& from,
                           const DodBands& to, const std::vector<double>& mine,
                           std::int64_t max_piece = kDodPiece);

}  // namespace tessera::tiles
