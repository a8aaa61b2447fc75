// The two-epoch tile step skeleton; see tile_pair_step.hpp.
#include "tile_pair_step.hpp"

#include <algorithm>
#include <cmath>

#include "freed_memory.hpp"
#include "step_common.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/tiles/epoch.hpp"
#include "tessera/tiles/tile_exchange.hpp"
#include "tessera/tiles/tile_plan.hpp"
#include "tessera/tiles/tile_rounds.hpp"
#include "tessera/tiles/tiled_las_writer.hpp"

namespace tessera::tiles {

ExtraDims::ExtraDims(std::vector<io::LasExtraBytes> dims) : dims_(std::move(dims)) {
  int at = 30;  // after the format-6 fields
  for (const io::LasExtraBytes& d : dims_) {
    offset_.push_back(at);
    at += d.size();
  }
}

void StepStats::reduce(const Comm& comm) {
  comm.allreduce(counts, ReduceOp::sum);
  comm.allreduce(sums, ReduceOp::sum);
  comm.allreduce(mins, ReduceOp::min);
  comm.allreduce(maxs, ReduceOp::max);
}

namespace {

/// Both epochs mapped and scanned onto one grid.
struct PairScan {
  TileGrid grid;
  TileRecords a, b;
};

/// Maps both blocks and lists their records under the tiles. The scan
/// counts the points outside the headers' bounds: only when there are any
/// (a wrong header) are the extents taken (check_extent warns) and the
/// records listed again on the points' grid.
PairScan map_and_scan(const Comm& comm, EpochBlock& a, EpochBlock& b, double tile_size,
                      double halo_a, double halo_b) {
  PairScan s;
  // The first walk over the mappings is where the bytes come in.
  perf::Region region("read");
  map_block(comm, a);
  map_block(comm, b);
  require_overlap(a, b);
  s.grid = union_grid(a, b, tile_size);
  perf::Region scan_region("scan");
  const auto scan = [&] {
    run_phase(comm, "scan", [&] {
      s.a = scan_block(s.grid, a, halo_a);
      s.b = scan_block(s.grid, b, halo_b);
    });
  };
  scan();
  if (comm.allreduce_sum(s.a.outside + s.b.outside) > 0) {
    check_extent(comm, a);
    check_extent(comm, b);
    require_overlap(a, b);
    s.grid = union_grid(a, b, tile_size);
    scan();
  }
  perf::add_items(s.a.points() + s.b.points());
  return s;
}

}  // namespace

std::optional<PairInputs> open_pair(const Comm& comm, const PairOptions& p, const Fingerprint& fp,
                                    const std::string& step) {
  if (detail::skip_up_to_date(comm, p, fp))
    return std::nullopt;
  detail::keep_freed_memory();  // big buffers reuse freed pages (freed_memory.hpp)
  PairInputs in{open_epoch(comm, p.a, p.classes, "A"), open_epoch(comm, p.b, p.classes, "B"), {}};
  in.crs = pair_crs(comm, in.a, in.b, p.assume_metric, step);
  return in;
}

nlohmann::json pair_summary(const PairOptions& p, const std::string& step, const CrsFacts& crs) {
  nlohmann::json s;
  s["step"] = step;
  s["a"] = p.a.string();
  s["b"] = p.b.string();
  s["output"] = p.out.string();
  s["unit"] = crs.unit;
  return s;
}

nlohmann::json TilePairStep::run(const Comm& comm) {
  const PairOptions& p = pair_;
  Fingerprint fp = detail::pair_fingerprint(p, name());
  add_fingerprint(fp);
  std::optional<PairInputs> in = open_pair(comm, p, fp, name());
  if (!in)
    return {};
  // Each rank maps its block of each file (read once, into the page cache)
  // instead of keeping a decoded copy (48 bytes a point): one walk lists
  // each record under its tiles (plan, rounds, output layout; 4 bytes a
  // copy), and each round decodes its own tiles' records straight into
  // their slots.
  EpochBlock& a = in->a;
  EpochBlock& b = in->b;
  const CrsFacts& crs = in->crs;
  const TilePairLayout layout = declare(comm, crs);
  const double halo = std::max(p.halo, layout.halo);
  const double halo_b = layout.halo_b ? halo : 0.0;
  const PairScan scan = map_and_scan(comm, a, b, p.tile_size, halo, halo_b);
  require_selected(comm, a, scan.a.points());
  require_selected(comm, b, scan.b.points());
  const TilePlan plan = plan_tiles(comm, scan.grid, {&scan.a.core, &scan.b.core});
  // Rounds within --memory-mb when it is set; otherwise within the step's
  // round_mb, a working-set cap for speed (raised to the largest tile, so
  // never a warning): a round's tile slots are fresh pages only in the
  // first round, later rounds reuse them (c2c on the medium pair at one
  // rank: one round's exchange took 0.40 s, 64 MiB rounds 0.15 s).
  const bool by_round_mb = layout.round_mb > 0 && p.memory_mb == 0;
  const std::vector<std::int64_t> copies_a = scan.a.copies(), copies_b = scan.b.copies();
  const TileRounds rounds =
      plan_rounds(comm, plan, {&copies_a, &copies_b}, by_round_mb ? layout.round_mb : p.memory_mb,
                  by_round_mb ? "--round-mb" : "--memory-mb", by_round_mb);

  // One record per output point, in its core tile: the output's layout is
  // known before anything is computed, so each round's tiles go straight
  // to their place in the file.
  const EpochBlock& out_epoch = layout.output_b ? b : a;
  const TileRecords& out_index = layout.output_b ? scan.b : scan.a;
  const double out_halo = layout.output_b ? halo_b : halo;
  const std::uint64_t step = std::max<std::uint64_t>(1, layout.output_step);
  const ExtraDims extra(layout.extra);
  TiledLasWriter writer(comm, p.out, output_header(out_epoch.header, extra.dims()),
                        core_points_every(plan.grid, out_epoch, out_index, step),
                        detail::kReplaceStale);
  const io::LasHeader& header = writer.header();
  ExchangeBuffers buffers_a, buffers_b;  // reused round after round
  std::vector<std::uint8_t> records;
  std::vector<std::uint32_t> outputs;
  for (int round = 0; round < rounds.rounds; ++round) {
    const std::vector<std::uint8_t> active = rounds.active(round);
    const std::span<const TilePoint> pa = exchange_tiles(comm, plan, a, scan.a, active, buffers_a);
    const std::span<const TilePoint> pb = exchange_tiles(comm, plan, b, scan.b, active, buffers_b);
    perf::Region region("compute");
    const std::span<const TilePoint> pout = layout.output_b ? pb : pa;
    const auto runs_other = tile_runs(layout.output_b ? pa : pb);
    for (const auto& [tile, run] : tile_runs(pout)) {
      // The tile's runs are used where they lie (no copies).
      const std::span<const TilePoint> tout = pout.subspan(run.first, run.second - run.first);
      std::span<const TilePoint> tother;
      if (auto it = runs_other.find(tile); it != runs_other.end())
        tother = (layout.output_b ? pa : pb)
                     .subspan(it->second.first, it->second.second - it->second.first);
      // The output points: the cheap test first (the tile's division only
      // for 1 point in step, and only when the epoch has halo copies).
      outputs.clear();
      for (std::size_t i = 0; i < tout.size(); ++i) {
        const TilePoint& q = tout[i];
        if ((step == 1 || q.id % step == 0) &&
            (out_halo <= 0 || plan.grid.tile_of(q.x, q.y) == tile))
          outputs.push_back(static_cast<std::uint32_t>(i));
      }
      if (outputs.empty())
        continue;
      records.assign(outputs.size() * header.record_length, 0);
      for (std::size_t i = 0; i < outputs.size(); ++i)
        encode_point6(tout[outputs[i]], header, records.data() + i * header.record_length);
      TileOutput out{records.data(), header.record_length, extra};
      if (layout.output_b)
        compute(tile, tother, tout, outputs, out);
      else
        compute(tile, tout, tother, outputs, out);
      writer.write_tile(tile, records);
      perf::add_items(static_cast<std::int64_t>(outputs.size()));
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
  stats_.reduce(comm);

  nlohmann::json s = pair_summary(p, name(), crs);
  s["tiles"] = plan.grid.count();
  s["tile_size"] = p.tile_size;
  s["halo"] = halo;
  s["rounds"] = rounds.rounds;
  s["memory_mb"] = p.memory_mb;
  s["round_budget_points"] = rounds.budget_points;  // 0: unlimited
  if (rounds.budget_points > 0)
    s["max_round_points"] = rounds.max_round_points;
  summarise(s, crs);
  detail::finish_outputs(comm, p.out, s, fp);
  return comm.is_root() ? s : nlohmann::json();
}

}  // namespace tessera::tiles
