// DaySource over any raster GDAL opens; see include/tessera/raster/day_source.hpp.
//
// The days are the bands of the datasets in the order given. Every rank opens
// every dataset once to check that they share one grid and to count their
// bands, then keeps one dataset open at a time for its own days.
#include <cpl_conv.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include <cpl_conv.h>
#include "tessera/core/error.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/gdal_geotiff_strips.hpp"
#include "tessera/io/gdal_raster.hpp"
#include "tessera/raster/civil_date.hpp"
#include "tessera/raster/day_source.hpp"

namespace tessera::raster {

namespace {

/// How a band's stored values become the statistics' input.
struct BandCodec {
  bool has_nodata = false;
  float nodata = 0;
  double scale = 1, offset = 0;
};

/// The variable name at the end of a subdataset name: NETCDF:"f.nc":swe -> swe,
/// HDF5:"f.h5"://group/swe -> swe.
std::string subdataset_variable(const std::string& name) {
  const auto cut = name.find_last_of(":/");
  return cut == std::string::npos ? name : name.substr(cut + 1);
}

/// GDAL's GeoTIFF driver reads GTIFF_DIRECT_IO when it opens a file. Set
/// while opening: an uncompressed GeoTIFF the direct strip reader cannot
/// take (e.g. pixel-interleaved) then bypasses the block cache, which only
/// costs here, as every block is read once (365 bands of 600 x 500: 7.7 s
/// and 480 MiB through the cache, 0.74 s without).
io::GdalRaster open_direct(const std::string& name) {
  CPLSetThreadLocalConfigOption("GTIFF_DIRECT_IO", "YES");
  try {
    io::GdalRaster ds = io::GdalRaster::open_any(name);
    CPLSetThreadLocalConfigOption("GTIFF_DIRECT_IO", nullptr);
    return ds;
  } catch (...) {
    CPLSetThreadLocalConfigOption("GTIFF_DIRECT_IO", nullptr);
    throw;
  }
}

/// Opens `name`, descending into the subdataset `variable` of a container.
io::GdalRaster open_variable(const std::string& name, const std::string& variable) {
  io::GdalRaster ds = open_direct(name);
  const auto subs = ds.subdatasets();
  if (ds.band_count() > 0) {
    // A single-variable NetCDF opens straight to its variable; a --variable
    // naming another one is a mistake, not a label.
    const std::string held = ds.band_metadata(1, "NETCDF_VARNAME");
    if (!variable.empty() && !held.empty() && held != variable) {
      throw FormatError(fmt::format("no variable '{}' (the file holds '{}')", variable, held),
                        name);
    }
    return ds;
  }
  std::string list;
  for (const auto& s : subs)
    list += (list.empty() ? "" : ", ") + subdataset_variable(s.first);
  if (subs.empty())
    throw FormatError("dataset has no raster band and no subdatasets", name);
  if (variable.empty()) {
    throw UsageError(
        fmt::format("the file holds several variables ({}); choose one with --variable", list),
        name);
  }
  for (const auto& s : subs) {
    if (subdataset_variable(s.first) == variable) {
      io::GdalRaster sub = open_direct(s.first);
      if (sub.band_count() < 1)
        throw FormatError("variable '" + variable + "' has no raster band", name);
      return sub;
    }
  }
  throw FormatError(fmt::format("no variable '{}' (variables: {})", variable, list), name);
}

/// Seconds per unit of a CF time axis ("days since ..."), 0 if unknown.
double unit_seconds(const std::string& unit) {
  if (unit == "days" || unit == "day" || unit == "d")
    return 86400;
  if (unit == "hours" || unit == "hour" || unit == "h")
    return 3600;
  if (unit == "minutes" || unit == "minute" || unit == "min")
    return 60;
  if (unit == "seconds" || unit == "second" || unit == "s")
    return 1;
  return 0;
}

/// CF time coordinate value -> ISO date (with the time of day when it is not
/// midnight). CF conventions §4.4: "UNIT since YYYY-MM-DD[ HH:MM:SS]", read in
/// the proleptic Gregorian calendar; other calendars give nullopt.
std::optional<std::string> cf_time_label(double value, const std::string& units,
                                         const std::string& calendar) {
  if (!calendar.empty() && calendar != "standard" && calendar != "gregorian" &&
      calendar != "proleptic_gregorian")
    return std::nullopt;
  char unit[32] = {0};
  int y = 0, m = 0, d = 0, hh = 0, mm = 0, ss = 0;
  const int n = std::sscanf(units.c_str(), "%31s since %d-%d-%d%*1[ T]%d:%d:%d", unit, &y, &m, &d,
                            &hh, &mm, &ss);
  if (n < 4 || !is_valid_date(y, m, d) || !std::isfinite(value))
    return std::nullopt;
  const double per = unit_seconds(unit);
  if (per == 0)
    return std::nullopt;
  const double secs = value * per + hh * 3600.0 + mm * 60.0 + ss;
  const auto whole = static_cast<std::int64_t>(std::llround(secs));
  const std::int64_t day = (whole >= 0 ? whole : whole - 86399) / 86400;
  const std::int64_t rem = whole - day * 86400;
  std::string label = iso_date(civil_from_days(days_from_civil({y, m, d}) + day));
  if (rem != 0)
    label += fmt::format("T{:02d}:{:02d}:{:02d}", rem / 3600, rem / 60 % 60, rem % 60);
  return label;
}

/// The time dimension GDAL's netCDF driver exposes as bands, "" if none:
/// the first extra dimension whose units read "... since ...".
std::string netcdf_time_dimension(const io::GdalRaster& ds) {
  std::string extra = ds.metadata("NETCDF_DIM_EXTRA");  // "{time}" or "{time,level}"
  extra.erase(
      std::remove_if(extra.begin(), extra.end(), [](char c) { return c == '{' || c == '}'; }),
      extra.end());
  std::size_t pos = 0;
  while (pos <= extra.size() && !extra.empty()) {
    const auto comma = extra.find(',', pos);
    const std::string dim = extra.substr(pos, comma == std::string::npos ? comma : comma - pos);
    if (ds.metadata(dim + "#units").find(" since ") != std::string::npos)
      return dim;
    if (comma == std::string::npos)
      break;
    pos = comma + 1;
  }
  return {};
}

class GdalDaySource final : public DaySource {
 public:
  GdalDaySource(const std::vector<std::string>& names, const std::string& variable)
      : names_(names), variable_(variable) {
    if (names.empty())
      throw UsageError("no raster given");
    std::string name_in_file;
    for (std::size_t f = 0; f < names.size(); ++f) {
      io::GdalRaster ds = open_variable(names[f], variable);
      check_grid(ds, f);
      const int nb = ds.band_count();
      first_day_.push_back(static_cast<std::int64_t>(codecs_.size()));
      const std::string time_dim = netcdf_time_dimension(ds);
      for (int b = 1; b <= nb; ++b) {
        BandCodec c;
        c.has_nodata = ds.has_nodata(b);
        const double nd = ds.nodata(b);
        c.has_nodata = c.has_nodata && !std::isnan(nd);  // NaN is NaN already
        c.nodata = static_cast<float>(nd);
        c.scale = ds.scale(b);
        c.offset = ds.offset(b);
        codecs_.push_back(c);
        labels_.push_back(day_label(ds, f, b, nb, time_dim));
      }
      if (name_in_file.empty())
        name_in_file = ds.band_metadata(1, "NETCDF_VARNAME");
      for (const auto& p : ds.file_list()) {
        if (std::find(files_.begin(), files_.end(), p) == files_.end())
          files_.push_back(p);
      }
      if (f == 0) {
        open_ = std::move(ds);  // kept: a single file is opened once
        strips_ = std::make_unique<io::GeoTiffStrips>(open_);
      }
    }
    first_day_.push_back(static_cast<std::int64_t>(codecs_.size()));
    open_index_ = 0;
    variables_.push_back(!variable.empty()       ? variable
                         : !name_in_file.empty() ? name_in_file
                                                 : std::string("value"));
  }

  void read(std::size_t, std::int64_t t0, std::int64_t nt, const RowWindow& window,
            float* out) override {
    const std::int64_t plane = window.rows() * grid_.width;
    std::int64_t t = t0;
    while (t < t0 + nt) {
      // The file holding day t, and the run of its bands this block needs.
      const auto it = std::upper_bound(first_day_.begin(), first_day_.end(), t);
      const auto f = static_cast<std::size_t>(it - first_day_.begin() - 1);
      const std::int64_t n = std::min(t0 + nt, first_day_[f + 1]) - t;
      if (open_index_ != f) {
        strips_.reset();
        open_.close();
        open_ = open_variable(names_[f], variable_);
        strips_ = std::make_unique<io::GeoTiffStrips>(open_);
        open_index_ = f;
      }
      float* dst = out + (t - t0) * plane;
      const int band0 = static_cast<int>(t - first_day_[f] + 1);
      const int row0 = static_cast<int>(window.first), rows = static_cast<int>(window.rows());
      if (strips_->usable()) {
        for (std::int64_t k = 0; k < n; ++k) {
          if (!strips_->read_rows(band0 + static_cast<int>(k), row0, rows, dst + k * plane))
            gdal_read(band0 + static_cast<int>(k), 1, row0, rows, dst + k * plane);
        }
      } else {
        gdal_read(band0, static_cast<int>(n), row0, rows, dst);
      }
      perf::add_bytes_read(n * plane * 4);
      for (std::int64_t k = 0; k < n; ++k)
        decode(codecs_[static_cast<std::size_t>(t + k)], dst + k * plane, plane);
      t += n;
    }
  }

  void close() override {
    strips_.reset();
    open_.close();
  }

 private:
  void gdal_read(int band0, int nbands, int row0, int rows, float* dst) {
    open_.read_bands(band0, nbands, row0, rows, dst);
  }

  static void decode(const BandCodec& c, float* v, std::int64_t count) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    if (c.has_nodata) {
      for (std::int64_t i = 0; i < count; ++i)
        v[i] = v[i] == c.nodata ? nan : v[i];
    }
    if (c.scale != 1.0 || c.offset != 0.0) {
      for (std::int64_t i = 0; i < count; ++i)
        v[i] = static_cast<float>(static_cast<double>(v[i]) * c.scale + c.offset);
    }
  }

  void check_grid(const io::GdalRaster& ds, std::size_t f) {
    const std::string& name = names_[f];
    double gt[6];
    if (GDALGetGeoTransform(ds.handle(), gt) != CE_None) {
      throw FormatError(
          "raster has no geotransform (its cells cannot be placed under the polygons)", name);
    }
    const io::GeoTransform t{gt[0], gt[1], gt[2], gt[3], gt[4], gt[5]};
    if (t.rx != 0.0 || t.ry != 0.0) {
      throw FormatError("rotated or sheared geotransform: not supported (warp it north-up first)",
                        name);
    }
    if (t.dx == 0.0 || t.dy == 0.0)
      throw FormatError("geotransform has a zero pixel size", name);
    RasterGrid g;
    g.width = ds.width();
    g.height = ds.height();
    g.transform = t;
    const std::string wkt = ds.crs_wkt();
    if (f == 0) {
      grid_ = g;
      crs_wkt_ = wkt;
      return;
    }
    const auto& a = grid_.transform;
    if (g.width != grid_.width || g.height != grid_.height || t.x0 != a.x0 || t.dx != a.dx ||
        t.y0 != a.y0 || t.dy != a.dy) {
      throw FormatError(fmt::format("grid ({} x {}, origin {}, {}, cell {} x {}) differs from {}'s "
                                    "({} x {}, origin {}, {}, cell {} x {})",
                                    g.width, g.height, t.x0, t.y0, t.dx, t.dy, names_[0],
                                    grid_.width, grid_.height, a.x0, a.y0, a.dx, a.dy),
                        name);
    }
    if (wkt != crs_wkt_)
      throw FormatError("CRS differs from " + names_[0] + "'s", name);
  }

  std::string day_label(const io::GdalRaster& ds, std::size_t f, int band, int nb,
                        const std::string& time_dim) const {
    if (!time_dim.empty()) {
      const std::string v = ds.band_metadata(band, "NETCDF_DIM_" + time_dim);
      if (!v.empty()) {
        if (auto l = cf_time_label(std::atof(v.c_str()), ds.metadata(time_dim + "#units"),
                                   ds.metadata(time_dim + "#calendar")))
          return *l;
      }
    }
    if (std::string d = ds.band_description(band); !d.empty())
      return d;
    const auto files = ds.file_list();
    const std::string stem = files.empty() ? names_[f] : files.front().stem().string();
    if (names_.size() > 1)
      return nb == 1 ? stem : fmt::format("{}:{}", stem, band);
    return std::to_string(band);
  }

  std::vector<std::string> names_;
  std::string variable_;
  std::vector<BandCodec> codecs_;        ///< one per day
  std::vector<std::int64_t> first_day_;  ///< first day of each file, then the total
  io::GdalRaster open_;
  std::unique_ptr<io::GeoTiffStrips> strips_;  ///< direct reads of open_, when it allows
  std::size_t open_index_ = 0;
};

}  // namespace

std::unique_ptr<DaySource> open_gdal_rasters(const std::vector<std::string>& names,
                                             const std::string& variable) {
  return std::make_unique<GdalDaySource>(names, variable);
}

}  // namespace tessera::raster
