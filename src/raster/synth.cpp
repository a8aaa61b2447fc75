// Synthetic SnowMapper inputs; see include/tessera/raster/synth.hpp.
#include "tessera/raster/synth.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <vector>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/gdal_raster.hpp"
#include "tessera/io/gdal_vector.hpp"
#include "tessera/raster/civil_date.hpp"

namespace tessera::raster {

SynthScale synth_scale(const std::string& name) {
  if (name == "tiny")
    return {name, 48, 36, 4, 4, 20, 500.0};
  if (name == "small")
    return {name, 240, 180, 8, 4, 90, 500.0};
  if (name == "medium")
    return {name, 600, 500, 75, 4, 365, 500.0};
  if (name == "large")
    return {name, 2000, 2000, 250, 4, 365, 500.0};
  throw UsageError("unknown scale '" + name + "' (tiny, small, medium, large)");
}

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kX0 = 400000.0, kY0 = 4600000.0;  // UTM 42N, Tien Shan / Pamir latitudes

double dem(double u, double v) {
  return 800.0 +
         2600.0 * (0.6 * std::exp(-((u - 0.35) * (u - 0.35) + (v - 0.4) * (v - 0.4)) / 0.05) +
                   0.45 * std::exp(-((u - 0.7) * (u - 0.7) + (v - 0.65) * (v - 0.65)) / 0.03)) +
         120.0 * std::sin(7.0 * u) * std::cos(5.0 * v);
}

// One cluster's season: degree-day snow model driven by a smooth climate.
void write_fsm_file(const std::filesystem::path& path, int cluster, int bands, int aspects,
                    int days) {
  const int band = cluster / aspects, aspect = cluster % aspects;
  const double e = (band + 0.5) / bands;                              // 0 low .. 1 high
  const double shade = aspect == 0 ? -1.5 : aspect == 2 ? 1.5 : 0.0;  // N colder, S warmer
  const std::int64_t day0 = days_from_civil({2005, 10, 1});
  std::string text;
  double swe = 0.0;
  for (int d = 0; d < days; ++d) {
    const CivilDate date = civil_from_days(day0 + d);
    const double tair = 9.0 - 16.0 * std::sin(kPi * std::min(d, 300) / 300.0) - 9.0 * e + shade +
                        2.0 * std::sin(0.9 * d + cluster);
    const double precip = 3.0 + 4.0 * std::pow(std::sin(0.37 * d + 0.3 * cluster), 2);
    double rof = 0.0;
    if (tair < 0.5) {
      swe += precip;
    } else {
      const double melt = std::min(swe, 3.0 * tair);
      swe -= melt;
      rof = melt + precip;
    }
    const double snd = swe / 300.0;
    const double tsf = swe > 0 ? std::min(tair, 0.0) : tair;
    const double alb = swe > 0 ? 0.8 : 0.2;
    const double tsl = std::max(0.5, 4.0 + 0.5 * tair);
    text += fmt::format(
        "{:4d}  {:2d}  {:2d}  {:2d}  {:10.3f}  {:10.3f}  {:10.3f}  {:10.3f}  {:10.3f}  "
        "{:10.3f}\n",
        date.year, date.month, date.day, 12, alb, rof, snd, swe, tsf, tsl);
  }
  write_file_atomically(path, text);
}

}  // namespace

SynthOutputs write_synthetic_inputs(const std::filesystem::path& out, const SynthScale& s) {
  SynthOutputs o{out / "landform.tif", out / "fsm", out / "basins.geojson"};
  std::filesystem::create_directories(o.fsm_dir);
  const int w = s.width, h = s.height;
  // Elevation, aspect class and the nodata border.
  std::vector<double> z(static_cast<std::size_t>(w) * h);
  double zmin = INFINITY, zmax = -INFINITY;
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w; ++c) {
      const double v = dem((c + 0.5) / w, (r + 0.5) / h);
      z[static_cast<std::size_t>(r) * w + c] = v;
      zmin = std::min(zmin, v);
      zmax = std::max(zmax, v);
    }
  }
  std::vector<float> labels(z.size());
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w; ++c) {
      const double u = (c + 0.5) / w, v = (r + 0.5) / h;
      const std::size_t i = static_cast<std::size_t>(r) * w + c;
      const double eu = (u - 0.5) / 0.48, ev = (v - 0.5) / 0.47;
      if (eu * eu + ev * ev > 1.0) {
        labels[i] = -1.0f;
        continue;
      }
      const int band =
          std::clamp(static_cast<int>((z[i] - zmin) / (zmax - zmin) * s.elevation_bands), 0,
                     s.elevation_bands - 1);
      // Downslope direction -> N/E/S/W (row increases southward).
      const double gx = dem(u + 1e-3, v) - dem(u - 1e-3, v);
      const double gy = dem(u, v + 1e-3) - dem(u, v - 1e-3);
      const double ang = std::atan2(-gx, gy);  // facing direction, 0 = north
      const int aspect = static_cast<int>(std::floor((ang + kPi + kPi / s.aspect_classes) /
                                                     (2 * kPi) * s.aspect_classes)) %
                         s.aspect_classes;
      labels[i] = static_cast<float>(band * s.aspect_classes + aspect);
    }
  }
  const io::GeoTransform gt{kX0, s.pixel_m, 0.0, kY0, 0.0, -s.pixel_m};
  const std::string utm = io::crs_to_wkt("EPSG:32642");
  {
    AtomicFile af(o.landform, true);
    auto tmp = af.temp_path();
    tmp.replace_extension(".tif");
    auto r = io::GdalRaster::create_geotiff(tmp, w, h, 1, GDT_Int16, gt, utm, -1.0);
    r.write_band(1, labels.data());
    r.close();
    std::filesystem::rename(tmp, o.landform);
  }
  for (int c = 0; c < s.clusters(); ++c) {
    write_fsm_file(o.fsm_dir / fmt::format("sim_FSM_pt_{:04d}.txt", c), c, s.elevation_bands,
                   s.aspect_classes, s.days);
  }
  // Basins, defined as fractions of the grid extent, then written in EPSG:4326.
  const double ext_x = w * s.pixel_m, ext_y = h * s.pixel_m;
  auto P = [&](double fu, double fv) { return io::Point{kX0 + fu * ext_x, kY0 - fv * ext_y}; };
  std::vector<io::PolygonFeature> feats;
  feats.push_back({0,
                   "B01",
                   "North",
                   {{{{P(0.081, 0.083), P(0.457, 0.071), P(0.449, 0.452), P(0.093, 0.441)},
                      {P(0.201, 0.197), P(0.297, 0.211), P(0.288, 0.323), P(0.213, 0.31)}}}}});
  feats.push_back(
      {1,
       "B02",
       "North",
       {{{{P(0.62, 0.11), P(0.81, 0.08), P(0.9, 0.26), P(0.77, 0.41), P(0.6, 0.33)}}}}});
  feats.push_back({2,
                   "B03",
                   "South",
                   {{{{P(0.1, 0.6), P(0.4, 0.553), P(0.251, 0.903)}}},
                    {{{P(0.451, 0.7), P(0.6, 0.683), P(0.621, 0.9), P(0.471, 0.931)}}}}});
  feats.push_back({3,
                   "B04",
                   "South",
                   {{{{P(0.652, 0.5), P(0.93, 0.52), P(0.915, 1.06), P(0.67, 0.98)},
                      {P(0.75, 0.6), P(0.85, 0.61), P(0.8, 0.75)}}}}});
  for (auto& f : feats)
    io::transform_shape(f.shape, utm, io::crs_to_wkt("EPSG:4326"));
  {
    AtomicFile af(o.basins, true);
    auto tmp = af.temp_path();
    tmp.replace_extension(".geojson");
    io::write_polygon_layer(tmp, io::crs_to_wkt("EPSG:4326"), "CODE", "REGION", feats);
    std::filesystem::rename(tmp, o.basins);
  }
  return o;
}

}  // namespace tessera::raster
