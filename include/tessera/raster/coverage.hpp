// Exact coverage fractions of a polygon over the cells of a raster grid.
//
// For every cell, the fraction of the cell's area that lies inside the
// polygon (holes excluded, parts of a multipolygon added), as exactextract
// computes (D. Baston, exactextract, "raster_cell_intersection"), but by a
// different route: Green's theorem per row strip.
//
// Method. Work in pixel coordinates (u = column, v = row), where every cell is
// a unit square. For a ring oriented positively, area = -∮ v du. Clamping the
// boundary's v to the row strip [r, r+1] keeps the winding number of every
// point inside the strip, so the area of (polygon ∩ strip ∩ column c) is
//     A[r][c] = -Σ_pieces ∫ (clamp(v, r, r+1) - r) du   over u ∈ [c, c+1].
// Cutting every edge at the integer grid lines gives pieces inside one cell
// (r_p, c): a piece contributes -du·(v_mid - r_p) to its own cell and -du·1
// to every cell (r, c) above it (r < r_p, where clamp gives r+1). The second
// term is accumulated once per column and swept upward, so the cost is the
// number of cells the boundary crosses plus the cells of the bounding box —
// the interior is filled without point-in-polygon tests.
//
// Exterior rings and holes are oriented here (exterior positive, holes
// negative) whatever their orientation in the file; the polygon must be
// valid (non-self-intersecting rings, holes inside), which callers check.
// Pure: no files, no MPI; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/io/gdal_raster.hpp"
#include "tessera/io/gdal_vector.hpp"

namespace tessera::raster {

using io::MultiPolygon;
using io::Point;
using io::Polygon;
using io::Ring;

/// Row-major raster shape and its georeferencing (no rotation terms).
struct RasterGrid {
  int width = 0;
  int height = 0;
  io::GeoTransform transform;
  std::int64_t cells() const noexcept {
    return static_cast<std::int64_t>(width) * static_cast<std::int64_t>(height);
  }
  /// Area of one cell in CRS units squared (|dx·dy|).
  double cell_area() const noexcept;
};

/// Sparse coverage: cells (row*width + col) with fraction in (0, 1].
struct Coverage {
  std::vector<std::int64_t> cell;
  std::vector<double> fraction;
  /// Σ fraction (the polygon's area inside the grid in cell units).
  double total() const noexcept;
};

/// Exact coverage of `shape` over `grid`. Cells outside the grid are
/// dropped; fractions below 1e-14 (round-off) are dropped.
Coverage coverage_fractions(const MultiPolygon& shape, const RasterGrid& grid);

/// Signed area of a ring by the shoelace formula (positive counter-clockwise).
double signed_area(const Ring& ring) noexcept;
/// Area of a multipolygon (exteriors minus holes), whatever the orientation.
double area(const MultiPolygon& shape) noexcept;

}  // namespace tessera::raster
