// `tessera tiles m3c2`: distributed M3C2 (Lague et al. 2013).
#include <cmath>
#include <span>

#include "step_common.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/tiles/epoch.hpp"
#include "tessera/tiles/epoch_crs.hpp"
#include "tessera/tiles/tile_rounds.hpp"
#include "tessera/tiles/tiled_las_writer.hpp"

namespace tessera::tiles {

nlohmann::json run_m3c2(const Comm& comm, const M3c2StepOptions& o) {
  const PairOptions& p = o.pair;
  const M3c2Options& m = o.m3c2;
  if (m.normal_radii.empty())
    throw UsageError("--normal-radius needs at least one radius");
  for (double r : m.normal_radii) {
    if (!(r > 0))
      throw UsageError("--normal-radius values must be > 0");
  }
  if (!(m.cyl_radius > 0))
    throw UsageError("--cyl-radius must be > 0");
  if (!(m.max_depth >= 0))
    throw UsageError("--max-depth must be >= 0");
  if (o.core_step < 1)
    throw UsageError("--core-step must be >= 1");
  Fingerprint fp = detail::pair_fingerprint(p, "m3c2");
  std::string radii;
  for (double r : m.normal_radii)
    radii += std::to_string(r) + ",";
  fp.add("normal_radii", radii)
      .add("cyl", std::to_string(m.cyl_radius))
      .add("depth", std::to_string(m.max_depth))
      .add("robust", m.robust ? "1" : "0")
      .add("reg", std::to_string(m.registration_error))
      .add("core_step", std::to_string(o.core_step));
  if (detail::skip_up_to_date(comm, p, fp))
    return {};

  EpochBlock a = read_epoch(comm, p.a, p.classes, "A");
  EpochBlock b = read_epoch(comm, p.b, p.classes, "B");
  const CrsFacts crs = pair_crs(comm, a, b, p.assume_metric, "m3c2");
  require_overlap(a, b);
  if (m.max_depth < m.cyl_radius && comm.is_root()) {
    // The cylinder's half-length is max(max-depth, radius) (py4dgeo's rule,
    // m3c2.hpp): say so rather than silently search deeper than asked.
    log::warn(
        "m3c2: --max-depth {} {} is below --cyl-radius {} {}; the cylinder's half-length "
        "is raised to the radius ({} {})",
        m.max_depth, crs.unit, m.cyl_radius, crs.unit, m.half_length(), crs.unit);
  }
  const double halo = std::max(p.halo, m.halo());
  const TilePlan plan = plan_tiles(comm, union_grid(a, b, p.tile_size), {&a.points, &b.points});
  const TileRounds rounds =
      plan_rounds(comm, plan, {{&a.points, halo}, {&b.points, halo}}, p.memory_mb);

  const std::string& u = crs.unit;
  const std::vector<io::LasExtraBytes> extra = {
      {10, 0, "distance", "M3C2 distance B - A (" + u + ")"},
      {10, 0, "lod", "level of detection 95% (" + u + ")"},
      {1, 0, "significant", "1: |distance| > lod"},
      {5, 0, "n_a", "epoch A points in cylinder"},
      {5, 0, "n_b", "epoch B points in cylinder"},
      {10, 0, "normal_x", "normal x"},
      {10, 0, "normal_y", "normal y"},
      {10, 0, "normal_z", "normal z"},
      {10, 0, "spread_a", "sigma of A along normal (" + u + ")"},
      {10, 0, "spread_b", "sigma of B along normal (" + u + ")"}};
  // One record per core point (A points whose record index is a multiple of
  // the core step), in its core tile: known before anything is computed, so
  // each round's tiles go straight to their place in the file.
  const auto step = static_cast<std::uint64_t>(o.core_step);
  std::vector<std::int64_t> out_counts(static_cast<std::size_t>(plan.grid.count()), 0);
  for (const TilePoint& q : a.points) {
    if (q.id % step == 0)
      ++out_counts[static_cast<std::size_t>(plan.grid.tile_of(q.x, q.y))];
  }
  TiledLasWriter writer(comm, p.out, output_header(a.header, extra), std::move(out_counts),
                        detail::kReplaceStale);
  const io::LasHeader& header = writer.header();
  std::int64_t counts[3] = {0, 0, 0};  // cores, undefined (NaN), significant
  double sums[2] = {0, 0};             // Σd, Σd² over defined
  for (int round = 0; round < rounds.rounds; ++round) {
    const std::vector<std::uint8_t> active = rounds.active(round);
    const bool last = round + 1 == rounds.rounds;
    std::vector<TilePoint> pa = exchange_round(comm, plan, a.points, halo, active, last);
    std::vector<TilePoint> pb = exchange_round(comm, plan, b.points, halo, active, last);
    perf::Region region("compute");
    const auto runs_b = tile_runs(pb);
    for (const auto& [tile, run] : tile_runs(pa)) {
      // The tile's runs are used where they lie (no copies).
      const std::span<const TilePoint> ta(pa.data() + run.first, run.second - run.first);
      std::span<const TilePoint> tb;
      if (auto it = runs_b.find(tile); it != runs_b.end())
        tb = {pb.data() + it->second.first, it->second.second - it->second.first};
      std::vector<std::uint32_t> cores;
      for (std::size_t i = 0; i < ta.size(); ++i) {
        const TilePoint& q = ta[i];
        // The cheap test first: the tile's division for 1 point in core-step.
        if (q.id % step == 0 && plan.grid.tile_of(q.x, q.y) == tile) {
          cores.push_back(static_cast<std::uint32_t>(i));
        }
      }
      if (cores.empty())
        continue;
      const std::vector<M3c2Result> res = m3c2_tile(ta, tb, cores, m);
      std::vector<std::uint8_t> out(cores.size() * header.record_length);
      for (std::size_t c = 0; c < cores.size(); ++c) {
        std::uint8_t* rec = out.data() + c * header.record_length;
        const M3c2Result& r = res[c];
        encode_point6(ta[cores[c]], header, rec);
        io::LasPointLayout::store(rec, 30, r.distance);
        io::LasPointLayout::store(rec, 38, r.lod);
        rec[46] = r.significant;
        io::LasPointLayout::store(rec, 47, r.n_a);
        io::LasPointLayout::store(rec, 51, r.n_b);
        io::LasPointLayout::store(rec, 55, r.normal.x());
        io::LasPointLayout::store(rec, 63, r.normal.y());
        io::LasPointLayout::store(rec, 71, r.normal.z());
        io::LasPointLayout::store(rec, 79, r.spread_a);
        io::LasPointLayout::store(rec, 87, r.spread_b);
        ++counts[0];
        if (std::isnan(r.distance)) {
          ++counts[1];
          continue;
        }
        counts[2] += r.significant;
        sums[0] += r.distance;
        sums[1] += r.distance * r.distance;
      }
      writer.write_tile(tile, out);
      perf::add_items(static_cast<std::int64_t>(cores.size()));
    }
  }
  writer.finish();
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, counts, 3, MPI_INT64_T, MPI_SUM, comm.handle()),
            "MPI_Allreduce");
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPI_DOUBLE, MPI_SUM, comm.handle()),
            "MPI_Allreduce");
  const std::int64_t defined = counts[0] - counts[1];
  nlohmann::json s;
  s["step"] = "m3c2";
  s["a"] = p.a.string();
  s["b"] = p.b.string();
  s["output"] = p.out.string();
  s["unit"] = crs.unit;  // of the radii, depths, distances and LoDs
  s["core_points"] = counts[0];
  s["undefined"] = counts[1];
  s["significant"] = counts[2];
  if (defined > 0) {
    s["mean_distance"] = sums[0] / defined;
    s["rms_distance"] = std::sqrt(sums[1] / defined);
  }
  s["normal_radii"] = m.normal_radii;
  s["cyl_radius"] = m.cyl_radius;
  s["max_depth"] = m.max_depth;
  s["half_length"] = m.half_length();
  s["registration_error"] = m.registration_error;
  s["tiles"] = plan.grid.count();
  s["halo"] = halo;
  s["rounds"] = rounds.rounds;
  s["memory_mb"] = p.memory_mb;
  s["round_budget_points"] = rounds.budget_points;  // 0: unlimited
  if (rounds.budget_points > 0)
    s["max_round_points"] = rounds.max_round_points;
  log::info("m3c2: {} core points, {} significant, {} undefined, mean distance {:.4f} {}",
            counts[0], counts[2], counts[1], defined > 0 ? sums[0] / defined : 0.0, crs.unit);
  detail::finish_outputs(comm, p.out, s, fp);
  return comm.is_root() ? s : nlohmann::json();
}

}  // namespace tessera::tiles
