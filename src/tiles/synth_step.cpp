// `tessera synth tiles`: two synthetic epochs with known changes, written in
// parallel (each rank generates and writes its own block of points).
#include <ogr_srs_api.h>

#include <cmath>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/tiles/steps.hpp"
#include "tessera/tiles/synth.hpp"
#include "tessera/tiles/tile_point.hpp"
#include "tessera/tiles/tiled_las_writer.hpp"

namespace tessera::tiles {

namespace {

io::LasHeader synth_header(const SynthScene& scene) {
  io::LasHeader h;
  h.version_minor = 4;
  h.point_format = h.format_byte = 6;
  h.record_length = 30;
  h.scale = {0.001, 0.001, 0.001};
  h.offset = {scene.x0, scene.y0, 0.0};
  const std::string wkt = crs_wkt_of("EPSG:32611");
  if (!wkt.empty()) {
    io::LasVlr v;
    v.user_id = "LASF_Projection";
    v.record_id = 2112;
    v.description = "OGC COORDINATE SYSTEM WKT";
    v.data.assign(wkt.begin(), wkt.end());
    v.data.push_back(0);
    h.vlrs.push_back(std::move(v));
    h.global_encoding = 0x10;
  }
  return h;
}

}  // namespace

nlohmann::json run_synth(const Comm& comm, const SynthOptions& o) {
  SynthScene scene = SynthScene::for_scale(o.scale);
  scene.changes = o.changes;
  scene.misalign = o.misalign;
  const io::LasHeader header = synth_header(scene);
  const std::int64_t n = scene.points();
  const BlockRange range = block_range(n, comm.size(), comm.rank());
  const char* names[2] = {"A.las", "B.las"};
  for (int epoch = 0; epoch < 2; ++epoch) {
    perf::Region region(epoch == 0 ? "epoch_a" : "epoch_b");
    std::vector<std::uint8_t> records(static_cast<std::size_t>(range.size()) * 30);
    for (std::int64_t i = range.begin; i < range.end; ++i) {
      const Eigen::Vector3d q = scene.point(i, epoch);
      TilePoint p;
      p.x = q.x();
      p.y = q.y();
      p.z = q.z();
      p.classification = 2;
      p.returns = 0x11;
      p.intensity = static_cast<std::uint16_t>(1000 + (i % 97));
      p.gps_time = 1e5 * epoch + static_cast<double>(i) * 1e-4;
      encode_point6(p, header, records.data() + (i - range.begin) * 30);
    }
    perf::add_items(range.size());
    write_block_las(comm, o.out / names[epoch], header, records, o.clobber);
  }
  nlohmann::json t;
  // Rank 0 writes the truth file in a phase: a failure fails every rank.
  run_phase(comm, "synth tiles: truth", [&] {
    if (!comm.is_root())
      return;
    double net = 0, gain = 0, loss = 0;
    scene.change_volumes(net, gain, loss);
    const Eigen::Matrix3d r =
        scene.misalign ? scene.misalign_rotation() : Eigen::Matrix3d::Identity();
    const Eigen::Vector3d c = scene.centre();
    const Eigen::Vector3d tr = scene.misalign
                                   ? Eigen::Vector3d(c + scene.misalign_translation() - r * c)
                                   : Eigen::Vector3d::Zero();
    // B_observed = R x + t; the alignment B -> A is the inverse.
    const Eigen::Matrix3d ri = r.transpose();
    const Eigen::Vector3d ti = -ri * tr;
    auto matrix = [](const Eigen::Matrix3d& m, const Eigen::Vector3d& v) {
      std::vector<std::vector<double>> out(4, std::vector<double>(4, 0.0));
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j)
          out[i][j] = m(i, j);
        out[i][3] = v[i];
      }
      out[3][3] = 1;
      return out;
    };
    const Eigen::Vector3d mc = scene.mound_centre();
    t["scale"] = o.scale;
    t["points_per_epoch"] = n;
    t["bounds"] = {scene.x0, scene.y0, scene.x0 + scene.width, scene.y0 + scene.height};
    t["spacing"] = scene.spacing;
    t["noise"] = scene.noise;
    t["changes"] = scene.changes;
    t["net_volume"] = net;
    t["gain_volume"] = gain;
    t["loss_volume"] = loss;
    t["mound"] = {{"x", mc.x()},
                  {"y", mc.y()},
                  {"height", scene.changes ? scene.mound_height() : 0.0},
                  {"sigma", 0.08 * std::min(scene.width, scene.height)}};
    t["misaligned"] = scene.misalign;
    t["misalignment"] = matrix(r, tr);      // x_B = M x_true
    t["alignment_truth"] = matrix(ri, ti);  // x_true = M x_B (what align should find)
    t["crs"] = "EPSG:32611";
    write_file_atomically(o.out / "truth.json", t.dump(2) + "\n");
    log::info("synth tiles: {} points per epoch ({} scale) in {}", n, o.scale, o.out.string());
  });
  return t;
}

}  // namespace tessera::tiles
