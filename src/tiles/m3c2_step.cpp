// `tessera tiles m3c2`: distributed M3C2 (Lague et al. 2013), a kernel on
// the tile-pair skeleton (tile_pair_step.hpp).
#include <cmath>

#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tile_pair_step.hpp"

namespace tessera::tiles {

namespace {

// The output's extra dimensions, in declared order.
enum Dim : std::size_t {
  kDistance,
  kLod,
  kSignificant,
  kNa,
  kNb,
  kNormalX,
  kNormalY,
  kNormalZ,
  kSpreadA,
  kSpreadB
};

class M3c2Step final : public TilePairStep {
 public:
  explicit M3c2Step(const M3c2StepOptions& o) : TilePairStep(o.pair), o_(o) {
    stats_.counts.assign(3, 0);  // cores, undefined (NaN), significant
    stats_.sums.assign(2, 0.0);  // Σd, Σd² over defined
  }

 protected:
  std::string name() const override { return "m3c2"; }

  void add_fingerprint(Fingerprint& fp) const override {
    const M3c2Options& m = o_.m3c2;
    std::string radii;
    for (double r : m.normal_radii)
      radii += std::to_string(r) + ",";
    fp.add("normal_radii", radii)
        .add("cyl", std::to_string(m.cyl_radius))
        .add("depth", std::to_string(m.max_depth))
        .add("robust", m.robust ? "1" : "0")
        .add("reg", std::to_string(m.registration_error))
        .add("core_step", std::to_string(o_.core_step));
  }

  TilePairLayout declare(const Comm& comm, const CrsFacts& crs) override {
    const M3c2Options& m = o_.m3c2;
    const std::string& u = crs.unit;
    if (m.max_depth < m.cyl_radius && comm.is_root()) {
      // The cylinder's half-length is max(max-depth, radius) (py4dgeo's rule,
      // m3c2.hpp): say so rather than silently search deeper than asked.
      log::warn(
          "m3c2: --max-depth {} {} is below --cyl-radius {} {}; the cylinder's half-length "
          "is raised to the radius ({} {})",
          m.max_depth, u, m.cyl_radius, u, m.half_length(), u);
    }
    TilePairLayout l;
    l.halo = m.halo();
    // One record per core point: A points whose record index is a multiple
    // of the core step, in their core tile.
    l.output_step = static_cast<std::uint64_t>(o_.core_step);
    l.extra = {{10, 0, "distance", "M3C2 distance B - A (" + u + ")"},
               {10, 0, "lod", "level of detection 95% (" + u + ")"},
               {1, 0, "significant", "1: |distance| > lod"},
               {5, 0, "n_a", "epoch A points in cylinder"},
               {5, 0, "n_b", "epoch B points in cylinder"},
               {10, 0, "normal_x", "normal x"},
               {10, 0, "normal_y", "normal y"},
               {10, 0, "normal_z", "normal z"},
               {10, 0, "spread_a", "sigma of A along normal (" + u + ")"},
               {10, 0, "spread_b", "sigma of B along normal (" + u + ")"}};
    return l;
  }

  void compute(int, std::span<const TilePoint> a, std::span<const TilePoint> b,
               const std::vector<std::uint32_t>& cores, TileOutput& out) override {
    const std::vector<M3c2Result> res = m3c2_tile(a, b, cores, o_.m3c2);
    auto& c = stats_.counts;
    for (std::size_t i = 0; i < cores.size(); ++i) {
      std::uint8_t* rec = out.record(i);
      const M3c2Result& r = res[i];
      const ExtraDims& x = out.extra;
      x.set(rec, kDistance, r.distance);
      x.set(rec, kLod, r.lod);
      x.set(rec, kSignificant, r.significant);
      x.set(rec, kNa, r.n_a);
      x.set(rec, kNb, r.n_b);
      x.set(rec, kNormalX, r.normal.x());
      x.set(rec, kNormalY, r.normal.y());
      x.set(rec, kNormalZ, r.normal.z());
      x.set(rec, kSpreadA, r.spread_a);
      x.set(rec, kSpreadB, r.spread_b);
      ++c[0];
      if (std::isnan(r.distance)) {
        ++c[1];
        continue;
      }
      c[2] += r.significant;
      stats_.sums[0] += r.distance;
      stats_.sums[1] += r.distance * r.distance;
    }
  }

  void summarise(nlohmann::json& s, const CrsFacts& crs) const override {
    const M3c2Options& m = o_.m3c2;
    const auto& c = stats_.counts;
    const std::int64_t defined = c[0] - c[1];
    s["core_points"] = c[0];
    s["undefined"] = c[1];
    s["significant"] = c[2];
    if (defined > 0) {
      s["mean_distance"] = stats_.sums[0] / defined;
      s["rms_distance"] = std::sqrt(stats_.sums[1] / defined);
    }
    s["normal_radii"] = m.normal_radii;
    s["cyl_radius"] = m.cyl_radius;
    s["max_depth"] = m.max_depth;
    s["half_length"] = m.half_length();
    s["registration_error"] = m.registration_error;
    log::info("m3c2: {} core points, {} significant, {} undefined, mean distance {:.4f} {}", c[0],
              c[2], c[1], defined > 0 ? stats_.sums[0] / defined : 0.0, crs.unit);
  }

 private:
  const M3c2StepOptions& o_;
};

}  // namespace

nlohmann::json run_m3c2(const Comm& comm, const M3c2StepOptions& o) {
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
  M3c2Step step(o);
  return step.run(comm);
}

}  // namespace tessera::tiles
