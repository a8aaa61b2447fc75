// CF-1.8 grid files; see include/tessera/raster/cf_grid.hpp.
#include "tessera/raster/cf_grid.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <sstream>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/mpi.hpp"
#include "tessera/io/gdal_crs.hpp"
#include "tessera/io/nc_grid_mapping.hpp"

namespace tessera::raster {

CfVariable cf_variable(FsmVariable v) {
  const auto& info = variable_info(v);
  CfVariable c{info.name, info.units, info.long_name, info.standard_name, ""};
  if (v == FsmVariable::kRof)
    c.cell_methods = "time: sum";
  if (v == FsmVariable::kSwe || v == FsmVariable::kSnd)
    c.cell_methods = "time: point";
  if (v == FsmVariable::kGst)
    c.cell_methods = "time: mean";
  return c;
}

std::string grid_file_name(FsmVariable v, const CivilDate& start) {
  return fmt::format("{:04d}{:02d}_{}.nc", start.year, start.month, variable_info(v).file_tag);
}

void add_layout(Fingerprint& fp, const NcLayout& layout) {
  fp.add("format", io::nc_format_name(layout.file.format));
  if (layout.file.format == io::NcFormat::kNetcdf4) {
    fp.add("deflate", std::to_string(layout.file.deflate_level))
        .add("shuffle", layout.file.shuffle ? "1" : "0")
        .add("chunk_tile", std::to_string(layout.chunk_tile));
  }
}

io::NcStorage grid_chunking(const GridAxes& axes, const NcLayout& layout) {
  // One day by a square tile: a rank's days are whole chunks (no chunk is
  // shared between ranks, so each rank compresses its own), and a map of one
  // day reads ceil(H/tile) x ceil(W/tile) chunks.
  const std::int64_t tile = std::max(1, layout.chunk_tile);
  return {{1, std::min<std::int64_t>(tile, std::max(1, axes.grid.height)),
           std::min<std::int64_t>(tile, std::max(1, axes.grid.width))},
          true};
}

std::int64_t grid_chunk_count(const GridAxes& axes, const NcLayout& layout) {
  const auto c = grid_chunking(axes, layout).chunk;
  return axes.days * ((axes.grid.height + c[1] - 1) / c[1]) * ((axes.grid.width + c[2] - 1) / c[2]);
}

// A raw MPI_Comm: PnetCDF / netcdf-c (through io::NcFile) take the handle.
io::NcFile create_cf_grid(MPI_Comm comm, const std::filesystem::path& path, const GridAxes& axes,
                          const CfVariable& var, float fill, const NcLayout& layout,
                          int* data_varid) {
  const auto& g = axes.grid;
  const io::CfGridMapping gm = io::cf_grid_mapping(axes.crs_wkt);
  const int epsg = io::epsg_of(axes.crs_wkt);
  // grid and reproject put whole days of the whole grid: whole chunks.
  io::NcCreateOptions file = layout.file;
  file.whole_chunks = true;
  io::NcFile f = io::NcFile::create(comm, path, file);
  const int dt = f.def_dim("time", axes.days);
  const int dy = f.def_dim("y", g.height);
  const int dx = f.def_dim("x", g.width);
  const int vt = f.def_var("time", io::NcType::kDouble, {dt});
  const int vy = f.def_var("y", io::NcType::kDouble, {dy});
  const int vx = f.def_var("x", io::NcType::kDouble, {dx});
  const int vc = f.def_var("crs", io::NcType::kInt, {});
  const int vd = f.def_var(var.name, io::NcType::kFloat, {dt, dy, dx}, grid_chunking(axes, layout));

  f.put_att(io::kNcGlobal, "Conventions", std::string("CF-1.8"));
  f.put_att(io::kNcGlobal, "title", "FSM " + var.long_name + " gridded on the landform clusters");
  f.put_att(io::kNcGlobal, "source", std::string("tessera raster grid (FSM cluster outputs)"));

  f.put_att(vt, "standard_name", std::string("time"));
  f.put_att(vt, "long_name", std::string("time"));
  f.put_att(vt, "units", "days since " + iso_date(axes.start) + " 00:00:00");
  f.put_att(vt, "calendar", std::string("standard"));
  f.put_att(vt, "axis", std::string("T"));

  if (gm.geographic) {
    f.put_att(vx, "standard_name", std::string("longitude"));
    f.put_att(vx, "long_name", std::string("longitude of cell centre"));
    f.put_att(vx, "units", std::string("degrees_east"));
    f.put_att(vy, "standard_name", std::string("latitude"));
    f.put_att(vy, "long_name", std::string("latitude of cell centre"));
    f.put_att(vy, "units", std::string("degrees_north"));
  } else {
    f.put_att(vx, "standard_name", std::string("projection_x_coordinate"));
    f.put_att(vx, "long_name", std::string("x coordinate of cell centre"));
    f.put_att(vx, "units", gm.linear_units);
    f.put_att(vy, "standard_name", std::string("projection_y_coordinate"));
    f.put_att(vy, "long_name", std::string("y coordinate of cell centre"));
    f.put_att(vy, "units", gm.linear_units);
  }
  f.put_att(vx, "axis", std::string("X"));
  f.put_att(vy, "axis", std::string("Y"));

  const auto& t = g.transform;
  io::put_cf_grid_mapping(f, vc, gm, axes.crs_wkt, t);
  if (epsg != 0)
    f.put_att(vc, "epsg_code", fmt::format("EPSG:{}", epsg));

  f.put_att(vd, "long_name", var.long_name);
  if (!var.standard_name.empty())
    f.put_att(vd, "standard_name", var.standard_name);
  f.put_att(vd, "units", var.units);
  if (!var.cell_methods.empty())
    f.put_att(vd, "cell_methods", var.cell_methods);
  f.put_att(vd, "grid_mapping", std::string("crs"));
  f.put_att(vd, "_FillValue", fill);
  f.put_att(vd, "missing_value", fill);
  f.enddef();

  std::vector<double> tv, yv, xv;
  if (Comm(comm).is_root()) {
    for (std::int64_t i = 0; i < axes.days; ++i)
      tv.push_back(static_cast<double>(i));
    for (int i = 0; i < g.height; ++i)
      yv.push_back(t.row_centre_y(i));
    for (int i = 0; i < g.width; ++i)
      xv.push_back(t.col_centre_x(i));
    f.iput(vt, {0}, {static_cast<MPI_Offset>(axes.days)}, tv.data());
    f.iput(vy, {0}, {static_cast<MPI_Offset>(g.height)}, yv.data());
    f.iput(vx, {0}, {static_cast<MPI_Offset>(g.width)}, xv.data());
  }
  f.wait_all();
  *data_varid = vd;
  return f;
}

GridAxes read_cf_axes(const io::NcFile& f, const std::string& var) {
  GridAxes a;
  const std::string file = f.path();
  for (const char* name : {"time", "y", "x", "crs"}) {
    if (!f.has_var(name)) {
      throw FormatError(fmt::format("no '{}' variable: not a tessera raster grid", name), file);
    }
  }
  if (!f.has_var(var))
    throw FormatError("no variable '" + var + "'", file);
  const int vc = f.varid("crs");
  if (!f.has_att(vc, "GeoTransform")) {
    throw FormatError("crs variable has no GeoTransform attribute", file, "crs");
  }
  std::istringstream gts(f.att_text(vc, "GeoTransform"));
  auto& t = a.grid.transform;
  if (!(gts >> t.x0 >> t.dx >> t.rx >> t.y0 >> t.ry >> t.dy)) {
    throw FormatError("unreadable GeoTransform attribute", file, "crs");
  }
  a.crs_wkt = f.has_att(vc, "crs_wkt") ? f.att_text(vc, "crs_wkt") : std::string();
  a.grid.width = static_cast<int>(f.dim_length("x"));
  a.grid.height = static_cast<int>(f.dim_length("y"));
  a.days = f.dim_length("time");
  const std::string units = f.att_text(f.varid("time"), "units");
  int y = 0, m = 0, d = 0;
  if (std::sscanf(units.c_str(), "days since %d-%d-%d", &y, &m, &d) != 3 ||
      !is_valid_date(y, m, d)) {
    throw FormatError("time units '" + units + "' are not 'days since YYYY-MM-DD'", file, "time");
  }
  std::int64_t first = 0;
  if (a.days > 0) {
    // Rank-local small read: every rank reads the same single value.
    double t0 = 0;
    f.get_all(f.varid("time"), {0}, {1}, &t0);
    first = static_cast<std::int64_t>(t0);
  }
  a.start = civil_from_days(days_from_civil({y, m, d}) + first);
  return a;
}

std::filesystem::path find_grid_file(const std::filesystem::path& dir, FsmVariable v) {
  const std::string suffix = std::string("_") + variable_info(v).file_tag + ".nc";
  std::filesystem::path found;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw IoError("no such directory", dir.string());
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.size() <= suffix.size() || name[0] == '.')
      continue;
    if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    if (!found.empty()) {
      throw FormatError(fmt::format("two {} grids: {} and {}", variable_info(v).name,
                                    found.filename().string(), name),
                        dir.string());
    }
    found = e.path();
  }
  return found;
}

}  // namespace tessera::raster
