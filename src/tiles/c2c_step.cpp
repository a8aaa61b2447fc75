// `tessera tiles c2c`: distributed cloud-to-cloud distances, a kernel on
// the tile-pair skeleton (tile_pair_step.hpp).
#include <algorithm>
#include <cmath>

#include "step_common.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tile_pair_step.hpp"

namespace tessera::tiles {

namespace {

class C2cStep final : public TilePairStep {
 public:
  explicit C2cStep(const C2cStepOptions& o)
      : TilePairStep(o.pair),
        o_(o),
        bins_(std::max(1, o.bins)),
        lo_(o.c2c.vertical ? -o.c2c.max_dist : 0.0),
        width_((o.c2c.max_dist - lo_) / bins_) {
    // counts: within, beyond, then the histogram; sums: Σd, Σd²
    stats_.counts.assign(2 + static_cast<std::size_t>(bins_), 0);
    stats_.sums.assign(2, 0.0);
    stats_.mins.assign(1, INFINITY);
    stats_.maxs.assign(1, -INFINITY);
  }

 protected:
  std::string name() const override { return "c2c"; }

  void add_fingerprint(Fingerprint& fp) const override {
    fp.add("max_dist", std::to_string(o_.c2c.max_dist))
        .add("vertical", o_.c2c.vertical ? "1" : "0")
        .add("k", std::to_string(o_.c2c.k));
  }

  TilePairLayout declare(const Comm&, const CrsFacts& crs) override {
    TilePairLayout l;
    // The halo must hold every reference point within max_dist of a core
    // point; the compared points (B) need none.
    l.halo = o_.c2c.max_dist;
    l.halo_b = false;
    l.output_b = true;  // one record per B point
    l.round_mb = o_.round_mb;
    l.extra = {{10, 0, "distance", "C2C distance to epoch A (" + crs.unit + ")"},
               {1, 0, "beyond", "1: no A point within max_dist"}};
    return l;
  }

  void compute(int, std::span<const TilePoint> a, std::span<const TilePoint> b,
               const std::vector<std::uint32_t>& outputs, TileOutput& out) override {
    // B has no halo copies: every point of its run is an output, in order.
    if (outputs.size() != b.size())
      throw ParallelError("c2c: a tile's B points are not all its outputs");
    const C2cResult res =
        c2c_distances(a.empty() ? nullptr : &a.front().x, a.size(), kTilePointStride, &b.front().x,
                      b.size(), kTilePointStride, o_.c2c);
    auto& c = stats_.counts;
    for (std::size_t i = 0; i < b.size(); ++i) {
      std::uint8_t* rec = out.record(i);
      out.extra.set(rec, 0, res.distance[i]);
      out.extra.set(rec, 1, res.beyond[i]);
      if (res.beyond[i]) {
        ++c[1];
        continue;
      }
      const double d = res.distance[i];
      ++c[0];
      stats_.sums[0] += d;
      stats_.sums[1] += d * d;
      stats_.mins[0] = std::min(stats_.mins[0], d);
      stats_.maxs[0] = std::max(stats_.maxs[0], d);
      const int bin = std::clamp(static_cast<int>(std::floor((d - lo_) / width_)), 0, bins_ - 1);
      ++c[2 + static_cast<std::size_t>(bin)];
    }
  }

  void summarise(nlohmann::json& s, const CrsFacts& crs) const override {
    const std::int64_t within = stats_.counts[0], beyond = stats_.counts[1];
    s["mode"] = o_.c2c.vertical ? "vertical" : "3d";
    s["max_dist"] = o_.c2c.max_dist;
    s["points"] = within + beyond;
    s["within"] = within;
    s["beyond"] = beyond;
    if (within > 0) {
      s["mean"] = stats_.sums[0] / within;
      s["rms"] = std::sqrt(stats_.sums[1] / within);
      s["min"] = stats_.mins[0];
      s["max"] = stats_.maxs[0];
    }
    std::vector<double> edges;
    for (int i = 0; i <= bins_; ++i)
      edges.push_back(lo_ + i * width_);
    const std::vector<std::int64_t> hist(stats_.counts.begin() + 2, stats_.counts.end());
    s["histogram"] = {{"edges", edges}, {"counts", hist}};
    s["round_mb"] = o_.round_mb;
    log::info("c2c: {} points, {} within {} {} (mean {:.4f} {}), {} beyond", within + beyond,
              within, o_.c2c.max_dist, crs.unit, within ? stats_.sums[0] / within : 0.0, crs.unit,
              beyond);
  }

 private:
  const C2cStepOptions& o_;
  int bins_;
  double lo_, width_;
};

}  // namespace

nlohmann::json run_c2c(const Comm& comm, const C2cStepOptions& o) {
  if (!(o.c2c.max_dist > 0))
    throw UsageError("--max-dist must be > 0");
  if (o.c2c.vertical && o.c2c.k < 6)
    throw UsageError("--k must be at least 6");
  if (!(o.round_mb >= 0) || !std::isfinite(o.round_mb))
    throw UsageError("--round-mb must be a number of MiB >= 0 (0 = no cap)");
  C2cStep step(o);
  return step.run(comm);
}

}  // namespace tessera::tiles
