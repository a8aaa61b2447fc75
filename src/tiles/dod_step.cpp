// `tessera tiles dod`: DEM of difference to a north-up GeoTIFF or NetCDF.
//
// Deliberate difference from the tile-with-halo design of the other methods:
// a cell's value needs only the points inside it, so for mean, min and max
// each rank grids its own block of records into integer accumulators over
// the whole raster and the accumulators are summed on rank 0 (exact, so
// independent of the rank count); no point moves and no halo is needed. The
// median cannot be merged that way: the (cell, Z) pairs move to the owners
// of bands of raster rows instead (dod_median_step.hpp).
#include <cpl_conv.h>
#include <ogr_srs_api.h>

#include <cmath>
#include <limits>

#include "dod_median_step.hpp"
#include "dod_raster.hpp"
#include "step_common.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/gdal_raster.hpp"
#include "tessera/tiles/epoch.hpp"

namespace tessera::tiles {

std::string crs_wkt_of(const std::string& las_crs) {
  if (las_crs.rfind("EPSG:", 0) != 0)
    return las_crs;
  io::gdal_register_once();
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  std::string wkt;
  if (OSRSetFromUserInput(srs, las_crs.c_str()) == OGRERR_NONE) {
    char* text = nullptr;
    if (OSRExportToWkt(srs, &text) == OGRERR_NONE && text != nullptr)
      wkt = text;
    CPLFree(text);
  }
  OSRDestroySpatialReference(srs);
  return wkt;
}

namespace {

void reduce_to_root(const Comm& comm, CellAccumulator& acc) {
  const auto n = static_cast<int>(acc.sum.size());
  auto reduce = [&](void* data, MPI_Datatype type, MPI_Op op) {
    if (comm.is_root()) {
      check_mpi(MPI_Reduce(MPI_IN_PLACE, data, n, type, op, 0, comm.handle()), "MPI_Reduce");
    } else {
      check_mpi(MPI_Reduce(data, nullptr, n, type, op, 0, comm.handle()), "MPI_Reduce");
    }
  };
  reduce(acc.sum.data(), MPI_INT64_T, MPI_SUM);
  reduce(acc.count.data(), MPI_INT64_T, MPI_SUM);
  reduce(acc.min.data(), MPI_INT32_T, MPI_MIN);
  reduce(acc.max.data(), MPI_INT32_T, MPI_MAX);
}

CellAccumulator grid_epoch(const Comm& comm, const EpochBlock& e, const CellGrid& grid) {
  CellAccumulator acc(grid.size());
  for (const TilePoint& p : e.points) {
    const std::int64_t c = grid.index_of(p.x, p.y);
    if (c < 0)
      continue;
    const auto raw =
        static_cast<std::int32_t>(std::nearbyint((p.z - e.header.offset[2]) / e.header.scale[2]));
    acc.add(c, raw);
  }
  reduce_to_root(comm, acc);
  return acc;
}

}  // namespace

nlohmann::json run_dod(const Comm& comm, const DodStepOptions& o) {
  const PairOptions& p = o.pair;
  if (!(o.cell > 0))
    throw UsageError("--cell must be > 0");
  const detail::DodFormat format = detail::dod_format_of(p.out);
  Fingerprint fp = detail::pair_fingerprint(p, "dod");
  fp.add("cell", std::to_string(o.cell))
      .add("aggregate", std::to_string(static_cast<int>(o.aggregate)))
      .add("threshold", std::to_string(o.threshold));
  if (detail::skip_up_to_date(comm, p, fp))
    return {};

  EpochBlock a = read_epoch(comm, p.a, p.classes, "A");
  EpochBlock b = read_epoch(comm, p.b, p.classes, "B");
  require_overlap(a, b);
  const CellGrid grid = CellGrid::covering(std::min(a.header.min[0], b.header.min[0]),
                                           std::min(a.header.min[1], b.header.min[1]),
                                           std::max(a.header.max[0], b.header.max[0]),
                                           std::max(a.header.max[1], b.header.max[1]), o.cell);
  if (grid.size() > (std::int64_t{1} << 31)) {
    throw UsageError("the DoD raster would have " + std::to_string(grid.size()) +
                     " cells; use a larger --cell");
  }
  // The two surfaces, on rank 0 (empty elsewhere).
  std::vector<double> za, zb;
  {
    perf::Region region("grid");
    if (o.aggregate == CellAggregate::kMedian) {
      za = detail::median_surface(comm, a, grid);
      zb = detail::median_surface(comm, b, grid);
    } else {
      const CellAccumulator ga = grid_epoch(comm, a, grid);
      const CellAccumulator gb = grid_epoch(comm, b, grid);
      if (comm.is_root()) {
        za = ga.surface(o.aggregate, a.header.scale[2], a.header.offset[2]);
        zb = gb.surface(o.aggregate, b.header.scale[2], b.header.offset[2]);
      }
    }
    perf::add_items(static_cast<std::int64_t>(a.points.size() + b.points.size()));
  }
  nlohmann::json s;
  run_phase(comm, "write " + p.out.filename().string(), [&] {
    if (!comm.is_root())
      return;
    perf::Region region("write");
    const std::vector<double> dod = difference(za, zb);
    const VolumeSummary v = summarise_dod(dod, o.cell, o.threshold);
    const std::vector<float> band(dod.begin(), dod.end());
    std::string crs = a.header.crs();
    if (crs.empty())
      crs = b.header.crs();
    const std::string wkt = crs_wkt_of(crs);
    if (!crs.empty() && wkt.empty())
      log::warn("dod: cannot interpret the CRS \"{}\"; raster has none", crs);
    AtomicFile file(p.out, p.clobber);
    detail::write_dod_raster(file.temp_path(), format, grid, band, wkt);
    perf::add_bytes_written(
        static_cast<std::int64_t>(std::filesystem::file_size(file.temp_path())));
    file.commit();
    const double gt[6] = {grid.x0, o.cell, 0, grid.north(), 0, -o.cell};
    s["step"] = "dod";
    s["a"] = p.a.string();
    s["b"] = p.b.string();
    s["output"] = p.out.string();
    s["cell"] = o.cell;
    s["width"] = grid.nx;
    s["height"] = grid.ny;
    s["format"] = format == detail::DodFormat::kNetCdf ? "netcdf" : "geotiff";
    s["aggregate"] = o.aggregate == CellAggregate::kMedian ? "median"
                     : o.aggregate == CellAggregate::kMin  ? "min"
                     : o.aggregate == CellAggregate::kMax  ? "max"
                                                           : "mean";
    s["geotransform"] = gt;
    s["net_volume"] = v.net;
    s["gain_volume"] = v.gain;
    s["loss_volume"] = v.loss;
    s["threshold"] = o.threshold;
    s["area_changed"] = v.area_changed;
    s["area_compared"] = v.area_compared;
    s["cells"] = v.cells;
    s["cells_empty"] = v.cells_empty;
    log::info("dod: {} x {} cells of {} m, net volume {:.3f} m3 (gain {:.3f}, loss {:.3f})",
              grid.nx, grid.ny, o.cell, v.net, v.gain, v.loss);
  });
  detail::finish_outputs(comm, p.out, s, fp);
  return comm.is_root() ? s : nlohmann::json();
}

}  // namespace tessera::tiles
