// `tessera tiles info`: header, bounds, counts per class and density.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <cstdio>

#include "tessera/core/collective.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/las_reader.hpp"
#include "tessera/io/laz/laz_points.hpp"
#include "tessera/tiles/epoch_crs.hpp"
#include "tessera/tiles/steps.hpp"

namespace tessera::tiles {

nlohmann::json run_info(const Comm& comm, const std::vector<std::filesystem::path>& files) {
  nlohmann::json all = nlohmann::json::array();
  for (const auto& path : files) {
    std::unique_ptr<io::LasReader> reader;
    run_phase(comm, "open " + path.filename().string(),
              [&] { reader = std::make_unique<io::LasReader>(path); });
    const io::LasHeader& h = reader->header();
    // Class counts and the points' own extent: every rank reads its block
    // once. Real headers' bounds can be wrong (points outside them), which
    // the steps handle (check_extent) and info shows.
    std::vector<std::int64_t> classes(256, 0);
    std::array<std::int32_t, 3> lo_raw{INT32_MAX, INT32_MAX, INT32_MAX};
    std::array<std::int32_t, 3> hi_raw{INT32_MIN, INT32_MIN, INT32_MIN};
    std::int64_t outside = 0;
    run_phase(comm, "read " + path.filename().string(), [&] {
      perf::Region region("read");
      // A block of records (of whole chunks for LAZ), read 2^18 at a time.
      const auto [begin, end] = reader->part(comm.size(), comm.rank());
      const io::LasPointLayout layout = reader->layout();
      for (std::uint64_t at = begin, m = 0; at < end; at += m) {
        m = reader->read_span(at, 1 << 18, end);
        const auto n = static_cast<std::int64_t>(m);
        const auto buf = reader->read_records(at, m);
        perf::add_bytes_read(static_cast<std::int64_t>(buf.size()));
        for (std::int64_t i = 0; i < n; ++i) {
          const std::uint8_t* rec = buf.data() + i * h.record_length;
          ++classes[layout.class_code(rec)];
          const std::int32_t raw[3] = {layout.raw_x(rec), layout.raw_y(rec), layout.raw_z(rec)};
          bool out = false;
          for (std::size_t d = 0; d < 3; ++d) {
            lo_raw[d] = std::min(lo_raw[d], raw[d]);
            hi_raw[d] = std::max(hi_raw[d], raw[d]);
            if (d == 2)
              continue;
            // Beyond half a scale step: bounds are stored rounded.
            const double v = raw[d] * h.scale[d] + h.offset[d];
            const double tol = 0.5 * std::abs(h.scale[d]);
            if (v < h.min[d] - tol || v > h.max[d] + tol)
              out = true;
          }
          outside += out ? 1 : 0;
        }
      }
    });
    comm.allreduce(classes, ReduceOp::sum);
    comm.allreduce(lo_raw, ReduceOp::min);
    comm.allreduce(hi_raw, ReduceOp::max);
    outside = comm.allreduce_sum(outside);
    nlohmann::json j;
    j["file"] = path.string();
    j["version"] = fmt::format("{}.{}", h.version_major, h.version_minor);
    j["point_format"] = h.point_format;
    j["record_length"] = h.record_length;
    j["extra_bytes_per_record"] = h.extra_bytes_per_record();
    j["points"] = h.point_count;
    j["scale"] = h.scale;
    j["offset"] = h.offset;
    j["min"] = h.min;  // the header's bounds
    j["max"] = h.max;
    if (h.point_count > 0) {
      std::array<double, 3> pmin{}, pmax{};
      for (std::size_t d = 0; d < 3; ++d) {
        pmin[d] = lo_raw[d] * h.scale[d] + h.offset[d];
        pmax[d] = hi_raw[d] * h.scale[d] + h.offset[d];
      }
      j["points_min"] = pmin;  // the points' own extent
      j["points_max"] = pmax;
    }
    j["outside_header_bounds"] = outside;  // points beyond the header's x-y bounds
    // Areas in the CRS's unit (a CRS that does not parse: none, metres).
    const CrsFacts facts = describe_crs(h.crs());
    const std::string unit = facts.parsed ? facts.unit : "m";
    // Over the header's bounds, or the points' extent when those miss points.
    double area = (h.max[0] - h.min[0]) * (h.max[1] - h.min[1]);
    if (outside > 0) {
      area = (j["points_max"][0].get<double>() - j["points_min"][0].get<double>()) *
             (j["points_max"][1].get<double>() - j["points_min"][1].get<double>());
    }
    j["unit"] = unit;
    j["crs_readable"] = facts.parsed;
    j["geographic"] = facts.geographic;
    j["area"] = area;                                                           // unit²
    j["density"] = area > 0 ? static_cast<double>(h.point_count) / area : 0.0;  // per unit²
    nlohmann::json cls = nlohmann::json::object();
    for (int c = 0; c < 256; ++c) {
      if (classes[static_cast<std::size_t>(c)] > 0)
        cls[std::to_string(c)] = classes[static_cast<std::size_t>(c)];
    }
    j["classes"] = cls;
    nlohmann::json dims = nlohmann::json::array();
    for (const auto& e : h.extra_dimensions())
      dims.push_back({{"name", e.name}, {"type", e.data_type}});
    j["extra_dimensions"] = dims;
    j["crs"] = h.crs();
    if (const io::laz::LazPoints* laz = reader->laz()) {
      j["laz"] = {{"compressor", laz->vlr().compressor},
                  {"chunks", laz->chunks().size()},
                  {"chunk_size", laz->vlr().chunk_size},
                  {"compressed_bytes", laz->compressed_bytes()}};
    }
    j["vlrs"] = h.vlrs.size();
    all.push_back(j);
    if (comm.is_root()) {
      std::printf("%s\n  LAS %s, point format %d (%d-byte records, %d extra), %llu points\n",
                  path.string().c_str(), j["version"].get<std::string>().c_str(), h.point_format,
                  h.record_length, h.extra_bytes_per_record(),
                  static_cast<unsigned long long>(h.point_count));
      if (const io::laz::LazPoints* laz = reader->laz()) {
        std::printf("  LAZ compressor %d, %zu chunks, %llu compressed bytes (%.2fx)\n",
                    static_cast<int>(laz->vlr().compressor), laz->chunks().size(),
                    static_cast<unsigned long long>(laz->compressed_bytes()),
                    static_cast<double>(h.point_count * h.record_length) /
                        static_cast<double>(std::max<std::uint64_t>(laz->compressed_bytes(), 1)));
      }
      std::printf("  x [%.3f, %.3f]  y [%.3f, %.3f]  z [%.3f, %.3f]\n", h.min[0], h.max[0],
                  h.min[1], h.max[1], h.min[2], h.max[2]);
      if (outside > 0) {
        std::printf(
            "  %lld point(s) outside the header's x-y bounds; the points cover x [%.3f, "
            "%.3f]  y [%.3f, %.3f]\n",
            static_cast<long long>(outside), j["points_min"][0].get<double>(),
            j["points_max"][0].get<double>(), j["points_min"][1].get<double>(),
            j["points_max"][1].get<double>());
      }
      std::printf("  density %.3f points/%s\u00b2 over %.1f %s\u00b2\n", j["density"].get<double>(),
                  unit.c_str(), area, unit.c_str());
      std::printf("  classes %s\n", cls.dump().c_str());
      std::string crs = h.crs();
      if (crs.size() > 70)
        crs = crs.substr(0, 67) + "...";
      std::printf("  crs %s%s\n", crs.empty() ? "(none)" : crs.c_str(),
                  j["crs_readable"].get<bool>() ? "" : " (not a CRS GDAL/PROJ can read)");
      if (h.point_format == 4 || h.point_format == 5 || h.point_format >= 9) {
        std::printf("  wave packet descriptors in the records (waveform data not read)\n");
      }
      for (const auto& e : h.extra_dimensions()) {
        std::printf("  extra dimension %s (type %d)\n", e.name.c_str(), e.data_type);
      }
    }
  }
  return comm.is_root() ? all : nlohmann::json();
}

}  // namespace tessera::tiles
