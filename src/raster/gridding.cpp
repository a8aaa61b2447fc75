// Gather gridding; see include/tessera/raster/gridding.hpp.
#include "tessera/raster/gridding.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "tessera/core/error.hpp"

namespace tessera::raster {

ClusterTable make_cluster_table(const std::vector<FsmSeries>& series,
                                const std::vector<std::string>& files) {
  ClusterTable t;
  if (series.empty())
    return t;
  t.start = series[0].start;
  t.days = static_cast<std::int64_t>(series[0].days());
  t.clusters = static_cast<std::int64_t>(series.size());
  for (std::size_t c = 0; c < series.size(); ++c) {
    const auto& s = series[c];
    if (!(s.start == t.start) || static_cast<std::int64_t>(s.days()) != t.days) {
      throw FormatError(
          fmt::format("series covers {} + {} days, but {} covers {} + {} days; "
                      "all clusters must cover the same days",
                      iso_date(s.start), s.days(), files[0], iso_date(t.start), t.days),
          files[c]);
    }
  }
  for (int v = 0; v < kFsmVariableCount; ++v) {
    auto& out = t.values[static_cast<std::size_t>(v)];
    out.resize(static_cast<std::size_t>(t.days * t.clusters));
    for (std::int64_t c = 0; c < t.clusters; ++c) {
      const auto& col = series[static_cast<std::size_t>(c)].values[static_cast<std::size_t>(v)];
      for (std::int64_t d = 0; d < t.days; ++d) {
        out[static_cast<std::size_t>(d * t.clusters + c)] = col[static_cast<std::size_t>(d)];
      }
    }
  }
  return t;
}

void grid_day(const float* day_row, const std::int32_t* labels, std::int64_t npix,
              const GridValueOptions& opt, float* out) {
  if (opt.original_compat) {
    for (std::int64_t p = 0; p < npix; ++p) {
      const std::int32_t l = labels[p];
      out[p] = l < 0 ? 0.0f : std::round(day_row[l] * 10.0f) / 10.0f;
    }
  } else {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (std::int64_t p = 0; p < npix; ++p) {
      const std::int32_t l = labels[p];
      out[p] = l < 0 ? nan : day_row[l];
    }
  }
}

void check_labels(const std::vector<std::int32_t>& labels, int width, std::int64_t clusters,
                  const std::string& landform_file, const std::string& fsm_dir) {
  for (std::size_t p = 0; p < labels.size(); ++p) {
    if (labels[p] >= clusters) {
      throw FormatError(
          fmt::format("cluster id {} at row {}, column {} but {} has only {} FSM files "
                      "(clusters 0..{})",
                      labels[p], static_cast<std::int64_t>(p) / width,
                      static_cast<std::int64_t>(p) % width, fsm_dir, clusters, clusters - 1),
          landform_file);
    }
  }
}

}  // namespace tessera::raster
