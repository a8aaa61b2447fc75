// `tessera tiles align`: ICP of epoch B onto epoch A, writing the aligned B.
//
// Each rank maps its block of each epoch (read once, into the page cache):
// a deterministic subsample (every k-th record of the wanted classes, k
// from --sample) of both epochs is gathered for ICP, decoded on the fly,
// and B's mapped records are then copied, transformed and written chunk by
// chunk, so no rank holds a decoded or raw copy of its block.
#include <cmath>
#include <cstring>

#include "step_common.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/tiles/epoch.hpp"
#include "tessera/tiles/epoch_crs.hpp"
#include "tessera/tiles/tiled_las_writer.hpp"
#include "tile_pair_step.hpp"

namespace tessera::tiles {

namespace {

/// Every rank gets the points of all ranks whose id % step == 0, by id.
std::vector<Eigen::Vector3d> gather_sample(const Comm& comm, const PointSource& points,
                                           std::int64_t step) {
  std::vector<double> local;
  points([&](const TilePoint* pts, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      const TilePoint& p = pts[i];
      if (p.id % static_cast<std::uint64_t>(step) == 0)
        local.insert(local.end(), {p.x, p.y, p.z});
    }
  });
  const std::vector<double> all = comm.allgatherv(local);
  // Blocks are in rank order and ids increase within a block: already by id.
  std::vector<Eigen::Vector3d> out(all.size() / 3);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = {all[3 * i], all[3 * i + 1], all[3 * i + 2]};
  return out;
}

/// Opens and maps an epoch, counts its wanted points (require_selected)
/// and takes its extent when the header's is wrong (check_extent).
EpochBlock map_epoch(const Comm& comm, const PairOptions& p, const std::filesystem::path& path,
                     const std::string& label) {
  perf::Region region("read");
  EpochBlock block = open_epoch(comm, path, p.classes, label);
  map_block(comm, block);
  return block;
}

void count_and_extent(const Comm& comm, EpochBlock& block) {
  std::int64_t n = 0;
  block_points(block)([&n](const TilePoint*, std::size_t k) { n += static_cast<std::int64_t>(k); });
  require_selected(comm, block, n);
  check_extent(comm, block);
}

}  // namespace

nlohmann::json run_align(const Comm& comm, const AlignStepOptions& o) {
  const PairOptions& p = o.pair;
  if (!(o.icp.max_correspondence > 0))
    throw UsageError("--max-correspondence must be > 0");
  if (o.sample < 3)
    throw UsageError("--sample must be >= 3");
  Fingerprint fp = detail::pair_fingerprint(p, "align");
  fp.add("corr", std::to_string(o.icp.max_correspondence))
      .add("sample", std::to_string(o.sample))
      .add("iter", std::to_string(o.icp.max_iterations))
      .add("tol", std::to_string(o.icp.tolerance));
  if (detail::skip_up_to_date(comm, p, fp))
    return {};

  EpochBlock a = map_epoch(comm, p, p.a, "A");
  EpochBlock b = map_epoch(comm, p, p.b, "B");
  count_and_extent(comm, a);
  count_and_extent(comm, b);
  const CrsFacts crs = pair_crs(comm, a, b, p.assume_metric, "align");
  require_overlap(a, b);
  IcpResult icp;
  {
    perf::Region region("icp");
    const std::vector<Eigen::Vector3d> sa = gather_sample(
        comm, block_points(a), std::max<std::int64_t>(1, a.total_selected / o.sample));
    const std::vector<Eigen::Vector3d> sb = gather_sample(
        comm, block_points(b), std::max<std::int64_t>(1, b.total_selected / o.sample));
    std::vector<double> packed(13, 0.0);
    run_phase(comm, "icp", [&] {
      if (!comm.is_root())
        return;
      icp = icp_align(sa, sb, o.icp);
      for (int i = 0; i < 9; ++i)
        packed[static_cast<std::size_t>(i)] = icp.rotation(i / 3, i % 3);
      for (int i = 0; i < 3; ++i)
        packed[static_cast<std::size_t>(9 + i)] = icp.translation[i];
      packed[12] = icp.rmse;
    });
    comm.bcast(packed, 0);
    for (int i = 0; i < 9; ++i)
      icp.rotation(i / 3, i % 3) = packed[static_cast<std::size_t>(i)];
    for (int i = 0; i < 3; ++i)
      icp.translation[i] = packed[static_cast<std::size_t>(9 + i)];
  }
  io::LasHeader out_header = b.header;
  out_header.evlr_count = 0;  // EVLRs and waveforms are not carried over
  out_header.evlr_start = 0;
  out_header.waveform_start = 0;
  // Nor is waveform data: formats 4, 5, 9, 10 keep their wave packet
  // descriptors in the records, but the global-encoding bits saying where
  // the waveforms are (1 internal, 2 external) are cleared.
  out_header.global_encoding &= static_cast<std::uint16_t>(~0x6u);
  out_header.format_byte = out_header.point_format;
  {
    // B's records as they are, but x, y, z transformed, chunk by chunk.
    perf::Region region("transform");
    const io::LasHeader& h = b.header;
    const io::LasPointLayout layout(h.point_format, h.record_length);
    const std::size_t len = h.record_length;
    write_block_las(
        comm, p.out, out_header, b.count,
        [&](std::uint64_t at, std::uint64_t n, std::uint8_t* dst) {
          std::memcpy(dst, b.records.data() + at * len, n * len);
          for (std::uint64_t i = 0; i < n; ++i) {
            std::uint8_t* rec = dst + i * len;
            const Eigen::Vector3d x(layout.raw_x(rec) * h.scale[0] + h.offset[0],
                                    layout.raw_y(rec) * h.scale[1] + h.offset[1],
                                    layout.raw_z(rec) * h.scale[2] + h.offset[2]);
            const Eigen::Vector3d y = icp.apply(x);
            for (int d = 0; d < 3; ++d) {
              const double v = std::nearbyint((y[d] - h.offset[d]) / h.scale[d]);
              if (!(v >= INT32_MIN && v <= INT32_MAX)) {
                throw FormatError("aligned coordinate does not fit the file's scale and offset",
                                  p.b.string());
              }
              io::LasPointLayout::store(rec, 4 * d, static_cast<std::int32_t>(v));
            }
          }
        },
        detail::kReplaceStale);
  }

  // unit: of the translation and the RMSE
  nlohmann::json s = pair_summary(p, "align", crs);
  std::vector<std::vector<double>> m(4, std::vector<double>(4, 0.0));
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c)
      m[r][c] = icp.rotation(r, c);
    m[r][3] = icp.translation[r];
  }
  m[3][3] = 1;
  s["transform"] = m;  // x_A = M x_B
  s["rotation_degrees"] = icp.angle_degrees();
  s["translation"] = {icp.translation[0], icp.translation[1], icp.translation[2]};
  if (comm.is_root()) {
    s["iterations"] = icp.iterations;
    s["pairs"] = icp.pairs;
    s["rmse"] = icp.rmse;
    s["converged"] = icp.converged;
    s["stop_reason"] = icp.stop_reason;
    log::info("align: {} iterations ({}), {} pairs, rmse {:.4f} {}, rotation {:.5f} deg",
              icp.iterations, icp.stop_reason, icp.pairs, icp.rmse, crs.unit, icp.angle_degrees());
  }
  detail::finish_outputs(comm, p.out, s, fp);
  return comm.is_root() ? s : nlohmann::json();
}

}  // namespace tessera::tiles
