// One walk over an epoch's points as DoD samples (private to src/tiles).
//
// The DoD's grids (mean, min, max in dod_step.cpp; medians in
// dod_median_step.cpp) need of each point only its cell and its LAS integer
// Z; for_each_cell_sample walks a PointSource (a mapped block decoded in
// cache-sized chunks) once and hands those on, so no decoded copy of the
// block is kept.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/collective.hpp"
#include "tessera/core/exchange.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/tiles/dod.hpp"
#include "tessera/tiles/epoch.hpp"

namespace tessera::tiles::detail {

/// Collective (through require_selected): calls `f(cell, raw_z)` for each
/// point of `points` inside `grid`, with raw_z = nearbyint((z - offset) /
/// scale) of e's header (the decoded z back to its LAS integer), then
/// counts the walked points as perf items and rejects an empty epoch
/// (require_selected throws on every rank alike).
template <class F>
void for_each_cell_sample(const Comm& comm, EpochBlock& e, const PointSource& points,
                          const CellGrid& grid, F&& f) {
  const double scale = e.header.scale[2], offset = e.header.offset[2];
  std::int64_t walked = 0;
  // In a phase: a rank that fails mid-walk (memory, a bad mapping) makes
  // every rank throw here instead of leaving them in require_selected.
  run_phase(comm, "grid epoch " + e.label, [&] {
    points([&](const TilePoint* chunk, std::size_t n) {
      walked += static_cast<std::int64_t>(n);
      for (std::size_t i = 0; i < n; ++i) {
        const TilePoint& p = chunk[i];
        const std::int64_t c = grid.index_of(p.x, p.y);
        if (c >= 0)
          f(c, static_cast<std::int32_t>(std::nearbyint((p.z - offset) / scale)));
      }
    });
  });
  perf::add_items(walked);
  require_selected(comm, e, walked);
}

/// Collective (a phase named `what`: a rank failing mid-walk fails every
/// rank here): this rank's points of `samples` in each raster row, for the
/// bandings (block holders, median bands) before any sample moves.
inline std::vector<std::int64_t> sampled_row_points(const Comm& comm, const CellGrid& grid,
                                                    const std::vector<const PointSource*>& samples,
                                                    const std::string& what) {
  std::vector<std::int64_t> row_points(static_cast<std::size_t>(grid.ny), 0);
  run_phase(comm, what, [&] {
    for (const PointSource* sample : samples) {
      (*sample)([&](const TilePoint* points, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
          const std::int64_t c = grid.index_of(points[i].x, points[i].y);
          if (c >= 0)
            ++row_points[static_cast<std::size_t>(c / grid.nx)];
        }
      });
    }
  });
  return row_points;
}

/// Sends each rank its list of `away` (one per rank) and returns what every
/// rank sent here; the lists are freed as they are packed, so a rank holds
/// its samples about twice at most.
template <class T>
std::vector<T> exchange_by_rank(const Comm& comm, std::vector<std::vector<T>>& away,
                                const std::string& what) {
  std::vector<std::int64_t> send_count(away.size(), 0);
  std::vector<T> send;
  for (std::size_t r = 0; r < away.size(); ++r) {
    send_count[r] = static_cast<std::int64_t>(away[r].size());
    send.insert(send.end(), away[r].begin(), away[r].end());
    std::vector<T>().swap(away[r]);
  }
  return exchange_records(comm, send, send_count, what);
}

}  // namespace tessera::tiles::detail
