// `tessera tiles c2c`: distributed cloud-to-cloud distances.
#include <cmath>

#include "freed_memory.hpp"
#include "step_common.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/tiles/epoch.hpp"
#include "tessera/tiles/epoch_crs.hpp"
#include "tessera/tiles/tile_rounds.hpp"
#include "tessera/tiles/tiled_las_writer.hpp"

namespace tessera::tiles {

nlohmann::json run_c2c(const Comm& comm, const C2cStepOptions& o) {
  const PairOptions& p = o.pair;
  if (!(o.c2c.max_dist > 0))
    throw UsageError("--max-dist must be > 0");
  if (o.c2c.vertical && o.c2c.k < 6)
    throw UsageError("--k must be at least 6");
  if (!(o.round_mb >= 0) || !std::isfinite(o.round_mb))
    throw UsageError("--round-mb must be a number of MiB >= 0 (0 = no cap)");
  Fingerprint fp = detail::pair_fingerprint(p, "c2c");
  fp.add("max_dist", std::to_string(o.c2c.max_dist))
      .add("vertical", o.c2c.vertical ? "1" : "0")
      .add("k", std::to_string(o.c2c.k));
  if (detail::skip_up_to_date(comm, p, fp))
    return {};
  detail::keep_freed_memory();  // big buffers reuse freed pages (freed_memory.hpp)

  // Each rank maps its block of each file (read once, into the page cache)
  // instead of keeping a decoded copy (48 bytes a point): one walk lists
  // each record under its tiles (plan, rounds, output layout; 4 bytes a
  // copy), and each round decodes its own tiles' records straight into
  // their slots.
  EpochBlock a = open_epoch(comm, p.a, p.classes, "A");
  EpochBlock b = open_epoch(comm, p.b, p.classes, "B");
  const CrsFacts crs = pair_crs(comm, a, b, p.assume_metric, "c2c");
  // The halo must hold every reference point within max_dist of a core point.
  const double halo = std::max(p.halo, o.c2c.max_dist);
  TileGrid grid;
  TileRecords index_a, index_b;
  {
    // The first walk over the mappings is where the bytes come in.
    perf::Region region("read");
    map_block(comm, a);
    map_block(comm, b);
    require_overlap(a, b);
    grid = union_grid(a, b, p.tile_size);
    perf::Region scan_region("scan");
    const auto scan = [&] {
      run_phase(comm, "scan", [&] {
        index_a = scan_block(grid, a, halo);
        index_b = scan_block(grid, b, 0.0);
      });
    };
    scan();
    // The scan counted the points outside the headers' bounds: only when
    // there are any (a wrong header) are the extents taken (check_extent
    // warns) and the records listed again on the points' grid.
    if (comm.allreduce_sum(index_a.outside + index_b.outside) > 0) {
      check_extent(comm, a);
      check_extent(comm, b);
      require_overlap(a, b);
      grid = union_grid(a, b, p.tile_size);
      scan();
    }
    perf::add_items(index_a.points() + index_b.points());
  }
  require_selected(comm, a, index_a.points());
  require_selected(comm, b, index_b.points());
  const TilePlan plan = plan_tiles_from_counts(comm, grid, {&index_a.core, &index_b.core});
  // Rounds within --memory-mb when it is set; otherwise within --round-mb,
  // a working-set cap for speed (raised to the largest tile, so never a
  // warning): a round's tile slots are fresh pages only in the first
  // round, later rounds reuse them (on the medium pair at one rank, one
  // round's exchange took 0.40 s, 64 MiB rounds 0.15 s).
  const bool by_round_mb = o.round_mb > 0 && p.memory_mb == 0;
  const std::vector<std::int64_t> copies_a = index_a.copies(), copies_b = index_b.copies();
  const TileRounds rounds = plan_rounds_from_counts(
      comm, plan, {&copies_a, &copies_b}, by_round_mb ? o.round_mb : p.memory_mb,
      by_round_mb ? "--round-mb" : "--memory-mb", by_round_mb);

  const std::vector<io::LasExtraBytes> extra = {
      {10, 0, "distance", "C2C distance to epoch A (" + crs.unit + ")"},
      {1, 0, "beyond", "1: no A point within max_dist"}};
  // One record per B point, in its core tile: the output's layout is known
  // before any distance is computed, so each round's tiles go straight to
  // their place in the file.
  TiledLasWriter writer(comm, p.out, output_header(b.header, extra), index_b.core,
                        detail::kReplaceStale);
  const io::LasHeader& header = writer.header();
  const int bins = std::max(1, o.bins);
  const double lo = o.c2c.vertical ? -o.c2c.max_dist : 0.0;
  const double width = (o.c2c.max_dist - lo) / bins;
  std::vector<std::int64_t> hist(static_cast<std::size_t>(bins), 0);
  std::int64_t counts[2] = {0, 0};  // within, beyond
  double sums[2] = {0, 0};          // Σd, Σd²
  double dmin = INFINITY, dmax = -INFINITY;
  ExchangeBuffers buffers_a, buffers_b;  // reused round after round
  for (int round = 0; round < rounds.rounds; ++round) {
    const std::vector<std::uint8_t> active = rounds.active(round);
    const std::span<const TilePoint> pa =
        exchange_scanned(comm, plan, a, index_a, active, buffers_a);
    const std::span<const TilePoint> pb =
        exchange_scanned(comm, plan, b, index_b, active, buffers_b);
    perf::Region region("compute");
    const auto runs_a = tile_runs(pa);
    for (const auto& [tile, run] : tile_runs(pb)) {
      // The tile's points are used where they lie (no copies): A's run is
      // the reference, B's run the compared points.
      const TilePoint* ref = nullptr;
      std::size_t nref = 0;
      if (auto it = runs_a.find(tile); it != runs_a.end()) {
        ref = pa.data() + it->second.first;
        nref = it->second.second - it->second.first;
      }
      const TilePoint* cmp = pb.data() + run.first;
      const std::size_t ncmp = run.second - run.first;
      C2cResult res = c2c_distances(ref ? &ref->x : nullptr, nref, kTilePointStride, &cmp->x, ncmp,
                                    kTilePointStride, o.c2c);
      std::vector<std::uint8_t> out(ncmp * header.record_length);
      for (std::size_t i = 0; i < ncmp; ++i) {
        std::uint8_t* rec = out.data() + i * header.record_length;
        encode_point6(cmp[i], header, rec);
        io::LasPointLayout::store(rec, 30, res.distance[i]);
        rec[38] = res.beyond[i];
        if (res.beyond[i]) {
          ++counts[1];
          continue;
        }
        const double d = res.distance[i];
        ++counts[0];
        sums[0] += d;
        sums[1] += d * d;
        dmin = std::min(dmin, d);
        dmax = std::max(dmax, d);
        const int bin = std::clamp(static_cast<int>(std::floor((d - lo) / width)), 0, bins - 1);
        ++hist[static_cast<std::size_t>(bin)];
      }
      writer.write_tile(tile, out);
      perf::add_items(static_cast<std::int64_t>(ncmp));
    }
    // Under a memory budget the buffers do not outlive their round: kept,
    // they would hold the largest A share of any round plus the largest B
    // share (up to twice the budget) and the send buffers.
    if (p.memory_mb > 0) {
      buffers_a = {};
      buffers_b = {};
    }
  }
  writer.finish();

  check_mpi(MPI_Allreduce(MPI_IN_PLACE, hist.data(), bins, MPI_INT64_T, MPI_SUM, comm.handle()),
            "MPI_Allreduce");
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, counts, 2, MPI_INT64_T, MPI_SUM, comm.handle()),
            "MPI_Allreduce");
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPI_DOUBLE, MPI_SUM, comm.handle()),
            "MPI_Allreduce");
  dmin = comm.allreduce_min(dmin);
  dmax = comm.allreduce_max(dmax);
  nlohmann::json s;
  s["step"] = "c2c";
  s["a"] = p.a.string();
  s["b"] = p.b.string();
  s["output"] = p.out.string();
  s["mode"] = o.c2c.vertical ? "vertical" : "3d";
  s["unit"] = crs.unit;  // of max_dist, the distances and the histogram
  s["max_dist"] = o.c2c.max_dist;
  s["points"] = counts[0] + counts[1];
  s["within"] = counts[0];
  s["beyond"] = counts[1];
  if (counts[0] > 0) {
    s["mean"] = sums[0] / counts[0];
    s["rms"] = std::sqrt(sums[1] / counts[0]);
    s["min"] = dmin;
    s["max"] = dmax;
  }
  std::vector<double> edges;
  for (int i = 0; i <= bins; ++i)
    edges.push_back(lo + i * width);
  s["histogram"] = {{"edges", edges}, {"counts", hist}};
  s["tiles"] = plan.grid.count();
  s["tile_size"] = p.tile_size;
  s["halo"] = halo;
  s["rounds"] = rounds.rounds;
  s["memory_mb"] = p.memory_mb;
  s["round_mb"] = o.round_mb;
  s["round_budget_points"] = rounds.budget_points;  // 0: unlimited
  if (rounds.budget_points > 0)
    s["max_round_points"] = rounds.max_round_points;
  log::info("c2c: {} points, {} within {} {} (mean {:.4f} {}), {} beyond", counts[0] + counts[1],
            counts[0], o.c2c.max_dist, crs.unit, counts[0] ? sums[0] / counts[0] : 0.0, crs.unit,
            counts[1]);
  detail::finish_outputs(comm, p.out, s, fp);
  return comm.is_root() ? s : nlohmann::json();
}

}  // namespace tessera::tiles
