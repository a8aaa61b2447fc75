// `tessera tiles dod`: DEM of difference to a north-up GeoTIFF or NetCDF.
//
// Deliberate difference from the tile-with-halo design of the other methods:
// a cell's value needs only the points inside it, so no halo is needed. For
// mean, min and max each rank owns a band of raster rows (whole 256-row tile
// rows of the GeoTIFF); every point's (cell, integer Z) goes to its band's
// owner, which accumulates integer sums, counts, minima and maxima (exact,
// so independent of the rank count) and forms its band of the DoD. The
// band never travels whole: its volumes are summed per tile row and the
// parts merged on rank 0 in row order, and its GeoTIFF tiles are compressed
// where it is, rank 0 appending every band's tiles (banded_geotiff.hpp). A
// NetCDF goes through GDAL's serial writer, so its bands are gathered. The
// median cannot be accumulated that way: its (cell, Z) pairs are sorted per
// cell by row-band owners instead (dod_median_step.hpp), and rank 0 hands
// out the bands of the difference.
#include <cpl_conv.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <optional>

#include "banded_geotiff.hpp"
#include "cell_samples.hpp"
#include "dod_median_step.hpp"
#include "dod_raster.hpp"
#include "freed_memory.hpp"
#include "step_common.hpp"
#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/exchange.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/gdal_raster.hpp"
#include "tessera/io/tiff_tiles.hpp"
#include "tessera/tiles/epoch.hpp"
#include "tessera/tiles/epoch_crs.hpp"

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

constexpr int kTileRows = io::kGeoTiffTile;

/// Rows [first_row[r], first_row[r] + rows[r]) are rank r's band; a band
/// may be empty.
struct Bands {
  std::vector<std::int64_t> first_row, rows;
  std::int64_t cells(const CellGrid& g, int r) const {
    return rows[static_cast<std::size_t>(r)] * g.nx;
  }
  std::int64_t first_cell(const CellGrid& g, int r) const {
    return first_row[static_cast<std::size_t>(r)] * g.nx;
  }
};

/// Row block `block` of `nranks`: the rows cut evenly (the gridding's
/// bands, balanced whatever the raster's height).
BlockRange row_block(const CellGrid& grid, int nranks, int block) {
  return block_range(grid.ny, nranks, block);
}

/// Row block `block` of `nranks` in whole 256-row tile rows of the GeoTIFF
/// (the last may be shorter): the write's bands, so that each rank
/// compresses whole tiles and sums whole volume parts. Blocks of the two
/// kinds with the same index overlap in all but a tile row at each end.
BlockRange tile_row_block(const CellGrid& grid, int nranks, int block) {
  const std::int64_t tile_rows = (grid.ny + kTileRows - 1) / kTileRows;
  const BlockRange t = block_range(tile_rows, nranks, block);
  return {std::min<std::int64_t>(t.begin * kTileRows, grid.ny),
          std::min<std::int64_t>(t.end * kTileRows, grid.ny)};
}

/// Rank r's band is block block_of[r] of `block`'s kind.
Bands bands_of(const CellGrid& grid, const std::vector<int>& block_of,
               BlockRange (*block)(const CellGrid&, int, int)) {
  Bands b;
  const int nranks = static_cast<int>(block_of.size());
  for (int r = 0; r < nranks; ++r) {
    const BlockRange rows = block(grid, nranks, block_of[static_cast<std::size_t>(r)]);
    b.first_row.push_back(rows.begin);
    b.rows.push_back(rows.size());
  }
  return b;
}

/// Block k on rank k.
std::vector<int> identity_blocks(int nranks) {
  std::vector<int> v(static_cast<std::size_t>(nranks));
  for (int k = 0; k < nranks; ++k)
    v[static_cast<std::size_t>(k)] = k;
  return v;
}

/// Which row block each rank takes: block k goes to the rank that holds
/// most of its points, as far as each rank gets one block. Read blocks
/// follow the file's record order, which is spatial in lidar files (scan
/// lines here, south first), while row blocks run north first: with block
/// k on rank k, nearly every sample crossed between ranks at 2 ranks.
/// Holders come from `samples` (every 16th record: the choice moves work,
/// never values: a cell's samples are the same wherever they are
/// accumulated, and the bands are written by their rows).
std::vector<int> block_holders(const Comm& comm, const CellGrid& grid,
                               const std::vector<const PointSource*>& samples) {
  const int nranks = comm.size();
  if (nranks == 1)
    return identity_blocks(1);
  struct CountRank {
    long count;
    int rank;
  };
  std::vector<CountRank> most(static_cast<std::size_t>(nranks));
  for (int k = 0; k < nranks; ++k)
    most[static_cast<std::size_t>(k)] = {0, comm.rank()};
  // In a phase, so that a rank failing mid-walk fails every rank here.
  run_phase(comm, "dod: sample the blocks", [&] {
    for (const PointSource* sample : samples) {
      (*sample)([&](const TilePoint* points, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
          const std::int64_t c = grid.index_of(points[i].x, points[i].y);
          if (c >= 0)
            ++most[static_cast<std::size_t>(block_owner(grid.ny, nranks, c / grid.nx))].count;
        }
      });
    }
  });
  check_mpi(
      MPI_Allreduce(MPI_IN_PLACE, most.data(), nranks, MPI_LONG_INT, MPI_MAXLOC, comm.handle()),
      "MPI_Allreduce");
  // Blocks with the clearest holder first (ties by block); a rank already
  // given a block leaves the next to the lowest free rank.
  std::vector<int> order = identity_blocks(nranks);
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) {
    return most[static_cast<std::size_t>(x)].count > most[static_cast<std::size_t>(y)].count;
  });
  std::vector<int> block_of(static_cast<std::size_t>(nranks), -1);
  std::vector<int> left;
  for (int k : order) {
    const int h = most[static_cast<std::size_t>(k)].rank;
    if (block_of[static_cast<std::size_t>(h)] < 0)
      block_of[static_cast<std::size_t>(h)] = k;
    else
      left.push_back(k);
  }
  std::size_t next = 0;
  for (int r = 0; r < nranks; ++r) {
    if (block_of[static_cast<std::size_t>(r)] < 0)
      block_of[static_cast<std::size_t>(r)] = left[next++];
  }
  return block_of;
}

/// `n` cells as an MPI int count; UsageError when the raster is too large.
int mpi_count(std::int64_t n, const CellGrid& grid) {
  if (n > INT_MAX) {
    throw UsageError("the DoD raster is too large to move between ranks (" +
                     std::to_string(grid.size()) + " cells); use a larger --cell");
  }
  return static_cast<int>(n);
}

/// This rank's rows of `to` from the rows of `from` on every rank
/// (MPI_Alltoallv): the rows of this rank's `from` band go to each rank
/// whose `to` band holds them. Between row and tile-row blocks of one
/// assignment, only the rows near the block edges move.
std::vector<double> reband(const Comm& comm, const CellGrid& grid, const Bands& from,
                           const Bands& to, const std::vector<double>& mine) {
  const int nranks = comm.size(), me = comm.rank();
  if (nranks == 1)
    return mine;
  const auto n = static_cast<std::size_t>(nranks);
  std::vector<int> scount(n), sdispl(n), rcount(n), rdispl(n);
  // Rows both of x's band of rank rx and y's band of rank ry.
  auto overlap = [](const Bands& x, int rx, const Bands& y, int ry) {
    const std::int64_t xb = x.first_row[static_cast<std::size_t>(rx)];
    const std::int64_t xe = xb + x.rows[static_cast<std::size_t>(rx)];
    const std::int64_t yb = y.first_row[static_cast<std::size_t>(ry)];
    const std::int64_t ye = yb + y.rows[static_cast<std::size_t>(ry)];
    const std::int64_t b = std::max(xb, yb);
    return BlockRange{b, std::max(b, std::min(xe, ye))};
  };
  const std::int64_t from0 = from.first_row[static_cast<std::size_t>(me)];
  const std::int64_t to0 = to.first_row[static_cast<std::size_t>(me)];
  for (int q = 0; q < nranks; ++q) {
    const auto k = static_cast<std::size_t>(q);
    const BlockRange out = overlap(from, me, to, q), in = overlap(from, q, to, me);
    scount[k] = mpi_count(out.size() * grid.nx, grid);
    sdispl[k] = out.size() > 0 ? mpi_count((out.begin - from0) * grid.nx, grid) : 0;
    rcount[k] = mpi_count(in.size() * grid.nx, grid);
    rdispl[k] = in.size() > 0 ? mpi_count((in.begin - to0) * grid.nx, grid) : 0;
  }
  std::vector<double> band(static_cast<std::size_t>(to.cells(grid, me)));
  check_mpi(MPI_Alltoallv(mine.data(), scount.data(), sdispl.data(), MPI_DOUBLE, band.data(),
                          rcount.data(), rdispl.data(), MPI_DOUBLE, comm.handle()),
            "MPI_Alltoallv(DoD bands)");
  return band;
}

/// This rank's band of the epoch's accumulators. With several ranks each
/// point travels as (cell, Z) — 8 bytes — to the owner of its cell's band,
/// which accumulates only its band: about a third of the data of reducing
/// whole-raster accumulators (24 bytes a cell) when there are about as many
/// points as cells, and growing with the points, not the raster. No rank
/// holds more than its band, and the merge work is spread over the ranks.
/// Integer sums, minima and maxima are exact and order-free, so the band
/// equals the same rows of a single-rank grid whatever the rank count.
/// `points` (e's block, decoded on the fly) is walked once; the walk also
/// counts e's points for require_selected (empty epochs).
CellAccumulator grid_epoch(const Comm& comm, EpochBlock& e, const PointSource& points,
                           const CellGrid& grid, const Bands& bands, CellAggregate how) {
  const int nranks = comm.size();
  if (nranks == 1) {
    CellAccumulator acc(grid.size(), how);
    detail::for_each_cell_sample(comm, e, points, grid,
                                 [&](std::int64_t c, std::int32_t z) { acc.add(c, z); });
    return acc;
  }
  std::vector<int> owner_of_row(static_cast<std::size_t>(grid.ny));
  for (int r = 0; r < nranks; ++r) {
    const auto first_row = bands.first_row[static_cast<std::size_t>(r)];
    std::fill_n(owner_of_row.begin() + first_row, bands.rows[static_cast<std::size_t>(r)], r);
  }
  // Samples of this rank's own band are accumulated where they are read;
  // only the others travel. With blocks given to the ranks holding their
  // points (block_holders) that is a small part, and the local part costs what
  // the one-rank path costs: no cell and owner arrays, send buffer or
  // self-copy through MPI. Sums, counts, minima and maxima are integers and
  // order-free, so where a sample is added never changes a cell.
  const int me = comm.rank();
  const std::int64_t first = bands.first_cell(grid, me);
  CellAccumulator acc(bands.cells(grid, me), how);
  std::vector<std::vector<CellSample>> away(static_cast<std::size_t>(nranks));
  // The empty-epoch check ends the walk: before the exchange, so an empty
  // epoch fails on every rank alike.
  detail::for_each_cell_sample(comm, e, points, grid, [&](std::int64_t c, std::int32_t z) {
    const int owner = owner_of_row[static_cast<std::size_t>(c / grid.nx)];
    if (owner == me)
      acc.add(c - first, z);
    else
      away[static_cast<std::size_t>(owner)].push_back({static_cast<std::uint32_t>(c), z});
  });
  std::vector<std::int64_t> send_count(static_cast<std::size_t>(nranks), 0);
  std::vector<CellSample> send;
  for (int r = 0; r < nranks; ++r) {
    auto& v = away[static_cast<std::size_t>(r)];
    send_count[static_cast<std::size_t>(r)] = static_cast<std::int64_t>(v.size());
    send.insert(send.end(), v.begin(), v.end());
    std::vector<CellSample>().swap(v);
  }
  const std::vector<CellSample> mine = exchange_records(comm, send, send_count, "dod");
  std::vector<CellSample>().swap(send);
  for (const CellSample& smp : mine)
    acc.add(static_cast<std::int64_t>(smp.cell) - first, smp.z);
  return acc;
}

/// The DoD of this rank's band (B - A from the banded accumulators); only
/// compressed tiles and volume parts leave the rank afterwards (a NetCDF
/// gathers the band). The mapped blocks are decoded on the fly: a sample
/// walk (every 16th record, for the bands' holders; several ranks only) and
/// one full walk per epoch, with no decoded copy of the blocks (48 bytes a
/// point).
std::vector<double> banded_dod(const Comm& comm, EpochBlock& a, EpochBlock& b, const CellGrid& grid,
                               const Bands& bands, CellAggregate how) {
  std::vector<double> za, part;
  {
    const CellAccumulator ga = grid_epoch(comm, a, block_points(a), grid, bands, how);
    za = ga.surface(how, a.header.scale[2], a.header.offset[2]);
  }
  {
    const CellAccumulator gb = grid_epoch(comm, b, block_points(b), grid, bands, how);
    part = gb.surface(how, b.header.scale[2], b.header.offset[2]);
  }
  // difference(za, zb) formed in zb's storage: B - A, NaN propagating.
  for (std::size_t i = 0; i < part.size(); ++i)
    part[i] -= za[i];
  return part;
}

/// MPI int counts and displacements of the bands' cells.
std::pair<std::vector<int>, std::vector<int>> band_counts(const Bands& bands,
                                                          const CellGrid& grid) {
  std::vector<int> counts, displs;
  for (std::size_t r = 0; r < bands.rows.size(); ++r) {
    counts.push_back(mpi_count(bands.rows[r] * grid.nx, grid));
    displs.push_back(mpi_count(bands.first_row[r] * grid.nx, grid));
  }
  return {counts, displs};
}

/// Rank 0's whole raster `all` cut into the bands (MPI_Scatterv).
std::vector<double> scatter_bands(const Comm& comm, const std::vector<double>& all,
                                  const CellGrid& grid, const Bands& bands) {
  if (comm.size() == 1)
    return all;
  const auto [counts, displs] = band_counts(bands, grid);
  std::vector<double> mine(static_cast<std::size_t>(counts[static_cast<std::size_t>(comm.rank())]));
  check_mpi(MPI_Scatterv(all.data(), counts.data(), displs.data(), MPI_DOUBLE, mine.data(),
                         static_cast<int>(mine.size()), MPI_DOUBLE, 0, comm.handle()),
            "MPI_Scatterv");
  return mine;
}

/// The bands gathered on rank 0 in row order (empty elsewhere).
std::vector<double> gather_bands(const Comm& comm, std::vector<double> mine, const CellGrid& grid,
                                 const Bands& bands) {
  if (comm.size() == 1)
    return mine;
  const auto [counts, displs] = band_counts(bands, grid);
  std::vector<double> all;
  if (comm.is_root())
    all.resize(static_cast<std::size_t>(grid.size()));
  check_mpi(MPI_Gatherv(mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, all.data(),
                        counts.data(), displs.data(), MPI_DOUBLE, 0, comm.handle()),
            "MPI_Gatherv");
  return all;
}

/// The raster's volumes on rank 0: each band's tile rows summed apart
/// (summarise_dod_parts), the parts gathered and merged in row order, so
/// the doubles do not depend on the rank count.
VolumeSummary banded_volumes(const Comm& comm, const std::vector<double>& mine,
                             const CellGrid& grid, const Bands& bands, double cell,
                             double threshold) {
  const std::vector<VolumeSummary> parts =
      summarise_dod_parts(mine, grid.nx, kTileRows, cell, threshold);
  std::vector<VolumeSummary> all;
  if (comm.size() == 1) {
    all = parts;
  } else {
    std::vector<int> counts, displs;
    for (std::size_t r = 0; r < bands.rows.size(); ++r) {
      counts.push_back(static_cast<int>((bands.rows[r] + kTileRows - 1) / kTileRows *
                                        static_cast<std::int64_t>(sizeof(VolumeSummary))));
      displs.push_back(static_cast<int>(bands.first_row[r] / kTileRows *
                                        static_cast<std::int64_t>(sizeof(VolumeSummary))));
    }
    if (comm.is_root())
      all.resize(static_cast<std::size_t>((grid.ny + kTileRows - 1) / kTileRows));
    check_mpi(
        MPI_Gatherv(parts.data(), static_cast<int>(parts.size() * sizeof(VolumeSummary)), MPI_BYTE,
                    all.data(), counts.data(), displs.data(), MPI_BYTE, 0, comm.handle()),
        "MPI_Gatherv(volumes)");
  }
  VolumeSummary v;
  for (const VolumeSummary& p : all)
    v.merge(p);
  return v;
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
  detail::keep_freed_memory();  // big buffers reuse freed pages (freed_memory.hpp)

  // Each rank maps its block of each file (read once, into the page cache)
  // and the grid walks decode it on the fly: no decoded copy of the blocks.
  EpochBlock a = open_epoch(comm, p.a, p.classes, "A");
  EpochBlock b = open_epoch(comm, p.b, p.classes, "B");
  const CrsFacts crs = pair_crs(comm, a, b, p.assume_metric, "dod");
  {
    perf::Region region("read");
    map_block(comm, a);
    map_block(comm, b);
    // The first walk: points outside the headers' bounds (and the grid
    // from the points' extent if there are any).
    check_extent(comm, a);
    check_extent(comm, b);
  }
  require_overlap(a, b);
  // The cells cover both epochs' boxes: their headers' bounds, or the
  // points' extent where points lie outside those.
  const CellGrid grid = CellGrid::covering(
      std::min(a.box_min[0], b.box_min[0]), std::min(a.box_min[1], b.box_min[1]),
      std::max(a.box_max[0], b.box_max[0]), std::max(a.box_max[1], b.box_max[1]), o.cell);
  if (grid.size() > (std::int64_t{1} << 31)) {
    throw UsageError("the DoD raster would have " + std::to_string(grid.size()) +
                     " cells; use a larger --cell");
  }
  // This rank's band of the DoD, in the write's bands (whole tile rows,
  // tile_row_block). The median's surfaces come whole to rank 0
  // (dod_median_step.hpp), which hands out the bands of their difference.
  // The walks count the points (perf items) and reject empty epochs
  // (require_selected).
  Bands bands;
  std::vector<double> band;
  {
    perf::Region region("grid");
    if (o.aggregate == CellAggregate::kMedian) {
      std::vector<double> dod;
      {
        const std::vector<double> za = detail::median_surface(comm, a, block_points(a), grid);
        const std::vector<double> zb = detail::median_surface(comm, b, block_points(b), grid);
        if (comm.is_root())
          dod = difference(za, zb);
      }
      bands = bands_of(grid, identity_blocks(comm.size()), tile_row_block);
      band = scatter_bands(comm, dod, grid, bands);
    } else {
      // Gridded in even row blocks (balanced at any rank count, even with
      // fewer tile rows than ranks), then moved to the tile-row blocks of
      // the same assignment: only rows near the block edges travel.
      constexpr std::uint64_t kSampleStride = 16;
      const PointSource sample_a = block_points(a, kSampleStride);
      const PointSource sample_b = block_points(b, kSampleStride);
      const std::vector<int> block_of = block_holders(comm, grid, {&sample_a, &sample_b});
      const Bands grid_bands = bands_of(grid, block_of, row_block);
      bands = bands_of(grid, block_of, tile_row_block);
      band = reband(comm, grid, grid_bands, bands,
                    banded_dod(comm, a, b, grid, grid_bands, o.aggregate));
    }
  }
  nlohmann::json s;
  {
    perf::Region region("write");
    const VolumeSummary v = banded_volumes(comm, band, grid, bands, o.cell, o.threshold);
    // Rank 0 writes under a temporary name, committed once every rank has
    // done its part (the GeoTIFF's tiles are compressed on every rank).
    std::optional<AtomicFile> file;
    std::string wkt;
    run_phase(comm, "create " + p.out.filename().string(), [&] {
      if (!comm.is_root())
        return;
      // pair_crs parsed it (a CRS that does not parse is none, with a
      // warning naming its input).
      wkt = crs.wkt;
      file.emplace(p.out, detail::kReplaceStale);
    });
    const io::GeoTransform gt = detail::dod_transform(grid);
    if (format == detail::DodFormat::kGeoTiff) {
      const std::int64_t first_row = bands.first_row[static_cast<std::size_t>(comm.rank())];
      detail::write_banded_geotiff(comm,
                                   {file ? file->temp_path() : std::filesystem::path(), gt, wkt},
                                   grid.nx, grid.ny, first_row, band);
    } else {
      // GDAL's netCDF writer is serial: the bands go to rank 0.
      const std::vector<double> dod = gather_bands(comm, std::move(band), grid, bands);
      run_phase(
          comm, "write " + p.out.filename().string(),
          [&] {
            if (comm.is_root())
              detail::write_dod_netcdf(file->temp_path(), grid,
                                       std::vector<float>(dod.begin(), dod.end()), wkt,
                                       crs.cf_unit);
          },
          PhaseWait::kIdle);
    }
    // In a phase: a failed rename on rank 0 must fail every rank here, not
    // leave the others in the next collective.
    run_phase(comm, "commit " + p.out.filename().string(), [&] {
      if (!comm.is_root())
        return;
      perf::add_bytes_written(
          static_cast<std::int64_t>(std::filesystem::file_size(file->temp_path())));
      file->commit();
      s["step"] = "dod";
      s["a"] = p.a.string();
      s["b"] = p.b.string();
      s["output"] = p.out.string();
      s["cell"] = o.cell;
      s["unit"] = crs.unit;  // of the cell, the DoD values and the threshold
      s["area_unit"] = crs.unit + "\u00b2";
      s["volume_unit"] = crs.volume_unit();
      s["width"] = grid.nx;
      s["height"] = grid.ny;
      s["format"] = format == detail::DodFormat::kNetCdf ? "netcdf" : "geotiff";
      s["aggregate"] = o.aggregate == CellAggregate::kMedian ? "median"
                       : o.aggregate == CellAggregate::kMin  ? "min"
                       : o.aggregate == CellAggregate::kMax  ? "max"
                                                             : "mean";
      s["geotransform"] = {gt.x0, gt.dx, gt.rx, gt.y0, gt.ry, gt.dy};
      s["net_volume"] = v.net;
      s["gain_volume"] = v.gain;
      s["loss_volume"] = v.loss;
      s["threshold"] = o.threshold;
      s["area_changed"] = v.area_changed;
      s["area_compared"] = v.area_compared;
      s["cells"] = v.cells;
      s["cells_empty"] = v.cells_empty;
      log::info("dod: {} x {} cells of {} {}, net volume {:.3f} {} (gain {:.3f}, loss {:.3f})",
                grid.nx, grid.ny, o.cell, crs.unit, v.net, crs.volume_unit(), v.gain, v.loss);
    });
  }
  detail::finish_outputs(comm, p.out, s, fp);
  return comm.is_root() ? s : nlohmann::json();
}

}  // namespace tessera::tiles
