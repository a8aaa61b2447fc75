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
// where it is, rank 0 appending every band's tiles (banded_geotiff.hpp), or
// written as hyperslabs of one collective NetCDF (dod_netcdf.hpp). The
// median cannot be accumulated that way: its (cell, Z) pairs are sorted per
// cell by row-band owners instead (dod_median_step.hpp), which keep their
// bands of both epochs and form the difference there. Bands move between
// bandings point to point in pieces (dod_bands.hpp), and samples carry
// band-relative cells, so the raster may exceed 2^31 cells.
#include <cpl_conv.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <span>

#include "banded_geotiff.hpp"
#include "cell_samples.hpp"
#include "dod_median_step.hpp"
#include "dod_raster.hpp"
#include "step_common.hpp"
#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/exchange.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/gdal_raster.hpp"
#include "tessera/io/tiff_tiles.hpp"
#include "tessera/tiles/dod_bands.hpp"
#include "tessera/tiles/dod_netcdf.hpp"
#include "tessera/tiles/epoch.hpp"
#include "tessera/tiles/epoch_crs.hpp"
#include "tile_pair_step.hpp"

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

constexpr int kTileRows = kDodTileRows;
static_assert(kDodTileRows == io::kGeoTiffTile);

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
  const std::vector<std::int64_t> rows =
      detail::sampled_row_points(comm, grid, samples, "dod: sample the blocks");
  std::vector<std::int64_t> count(static_cast<std::size_t>(nranks), 0);
  for (std::int64_t y = 0; y < grid.ny; ++y)
    count[static_cast<std::size_t>(block_owner(grid.ny, nranks, y))] +=
        rows[static_cast<std::size_t>(y)];
  // Each block's holder (ties: the lowest rank) and its count.
  const std::vector<int> holder = comm.allreduce_argmax(count);
  comm.allreduce(count, ReduceOp::max);
  // Blocks with the clearest holder first (ties by block); a rank already
  // given a block leaves the next to the lowest free rank.
  std::vector<int> order = identity_blocks(nranks);
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) {
    return count[static_cast<std::size_t>(x)] > count[static_cast<std::size_t>(y)];
  });
  std::vector<int> block_of(static_cast<std::size_t>(nranks), -1);
  std::vector<int> left;
  for (int k : order) {
    const int h = holder[static_cast<std::size_t>(k)];
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
                           const CellGrid& grid, const DodBands& bands, CellAggregate how) {
  const int nranks = comm.size();
  if (nranks == 1) {
    CellAccumulator acc(grid.size(), how);
    detail::for_each_cell_sample(comm, e, points, grid,
                                 [&](std::int64_t c, std::int32_t z) { acc.add(c, z); });
    return acc;
  }
  const std::vector<int> owner_of_row = dod_row_owners(grid, bands);
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
  // epoch fails on every rank alike. Cells travel relative to their band's
  // first cell (uint32: require_band_cells), so the raster may exceed 2^32.
  detail::for_each_cell_sample(comm, e, points, grid, [&](std::int64_t c, std::int32_t z) {
    const int owner = owner_of_row[static_cast<std::size_t>(c / grid.nx)];
    if (owner == me)
      acc.add(c - first, z);
    else
      away[static_cast<std::size_t>(owner)].push_back(
          {static_cast<std::uint32_t>(c - bands.first_cell(grid, owner)), z});
  });
  const std::vector<CellSample> mine = detail::exchange_by_rank(comm, away, "dod");
  for (const CellSample& smp : mine)
    acc.add(static_cast<std::int64_t>(smp.cell), smp.z);
  return acc;
}

/// The DoD of this rank's band (B - A from the banded accumulators); only
/// compressed tiles (or NetCDF hyperslabs) and volume parts leave the rank
/// afterwards. The mapped blocks are decoded on the fly: a sample
/// walk (every 16th record, for the bands' holders; several ranks only) and
/// one full walk per epoch, with no decoded copy of the blocks (48 bytes a
/// point).
std::vector<double> banded_dod(const Comm& comm, EpochBlock& a, EpochBlock& b, const CellGrid& grid,
                               const DodBands& bands, CellAggregate how) {
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

/// The raster's volumes on rank 0: each band's tile rows summed apart
/// (summarise_dod_parts), the parts gathered and merged in row order, so
/// the doubles do not depend on the rank count.
VolumeSummary banded_volumes(const Comm& comm, const std::vector<double>& mine,
                             const CellGrid& grid, const DodBands& bands, double cell,
                             double threshold) {
  const std::vector<VolumeSummary> parts =
      summarise_dod_parts(mine, grid.nx, kTileRows, cell, threshold);
  std::vector<VolumeSummary> all;
  if (comm.size() == 1) {
    all = parts;
  } else {
    // Gathered in rank order as bytes (a struct of doubles and int64s),
    // then each rank's parts put at its band's tile rows: bands are in
    // rank order only at block_of's whim.
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(parts.data());
    const std::vector<std::uint8_t> got =
        comm.gatherv(std::span<const std::uint8_t>(bytes, parts.size() * sizeof(VolumeSummary)));
    if (comm.is_root()) {
      all.resize(static_cast<std::size_t>((grid.ny + kTileRows - 1) / kTileRows));
      std::size_t at = 0;
      for (std::size_t r = 0; r < bands.rows.size(); ++r) {
        const auto n = static_cast<std::size_t>((bands.rows[r] + kTileRows - 1) / kTileRows);
        std::memcpy(all.data() + bands.first_row[r] / kTileRows, got.data() + at,
                    n * sizeof(VolumeSummary));
        at += n * sizeof(VolumeSummary);
      }
    }
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
  if (format == detail::DodFormat::kNetCdf)
    fp.add("nc_format", io::nc_format_name(o.nc_format));
  // The pair steps' prologue (tile_pair_step.hpp); the rest is the DoD's
  // own: a raster of cells needs no halo, tile plan or rounds.
  std::optional<PairInputs> in = open_pair(comm, p, fp, "dod");
  if (!in)
    return {};
  // Each rank maps its block of each file (read once, into the page cache)
  // and the grid walks decode it on the fly: no decoded copy of the blocks.
  EpochBlock& a = in->a;
  EpochBlock& b = in->b;
  const CrsFacts& crs = in->crs;
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
  // No limit on the raster's cells here: bands move in pieces and samples
  // carry band-relative cells; only a band may not exceed 2^32 cells.
  const int me = comm.rank();
  // This rank's band of the DoD, in the write's bands (whole tile rows,
  // dod_tile_row_block). The walks count the points (perf items) and reject
  // empty epochs (require_selected).
  DodBands bands;
  std::vector<double> band;
  {
    perf::Region region("grid");
    constexpr std::uint64_t kSampleStride = 16;
    const PointSource sample_a = block_points(a, kSampleStride);
    const PointSource sample_b = block_points(b, kSampleStride);
    std::vector<int> block_of;
    DodBands grid_bands;
    if (o.aggregate == CellAggregate::kMedian) {
      // Bands balanced by both epochs' points (the sort is the cost), band r
      // on rank r; both epochs' medians and their difference stay in it.
      grid_bands = detail::median_bands(comm, grid, {&sample_a, &sample_b});
      require_band_cells(grid, grid_bands);
      block_of = identity_blocks(comm.size());
    } else {
      // Gridded in even row blocks (balanced at any rank count, even with
      // fewer tile rows than ranks), each given to the rank holding most of
      // its points; then moved to the tile-row blocks of the same
      // assignment: only rows near the block edges travel.
      block_of = block_holders(comm, grid, {&sample_a, &sample_b});
      grid_bands = dod_bands_of(grid, block_of, dod_row_block);
      if (comm.size() > 1)
        require_band_cells(grid, grid_bands);
    }
    bands = dod_bands_of(grid, block_of, dod_tile_row_block);
    std::vector<double> part;
    if (o.aggregate == CellAggregate::kMedian) {
      const std::vector<double> za =
          detail::median_band(comm, a, block_points(a), grid, grid_bands);
      part = detail::median_band(comm, b, block_points(b), grid, grid_bands);
      for (std::size_t i = 0; i < part.size(); ++i)
        part[i] -= za[i];  // B - A, NaN propagating
    } else {
      part = banded_dod(comm, a, b, grid, grid_bands, o.aggregate);
    }
    band = reband(comm, grid, grid_bands, bands, part);
  }
  nlohmann::json s;
  {
    perf::Region region("write");
    const VolumeSummary v = banded_volumes(comm, band, grid, bands, o.cell, o.threshold);
    const io::GeoTransform gt = detail::dod_transform(grid);
    const std::int64_t first_row = bands.first_row[static_cast<std::size_t>(me)];
    std::int64_t bytes = 0;  // rank 0: the file's length
    if (format == detail::DodFormat::kGeoTiff) {
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
      detail::write_banded_geotiff(comm,
                                   {file ? file->temp_path() : std::filesystem::path(), gt, wkt},
                                   grid.nx, grid.ny, first_row, band);
      // In a phase: a failed rename on rank 0 must fail every rank here, not
      // leave the others in the next collective.
      run_phase(comm, "commit " + p.out.filename().string(), [&] {
        if (!comm.is_root())
          return;
        bytes = static_cast<std::int64_t>(std::filesystem::file_size(file->temp_path()));
        file->commit();
      });
    } else {
      // One file written collectively: each rank its band's hyperslabs.
      CollectiveAtomicFile file(comm, p.out, detail::kReplaceStale);
      std::int64_t min_bytes = 0;
      const bool ok = detail::write_dod_netcdf(comm, file.temp_path(), grid, first_row, band,
                                               {o.nc_format, crs.wkt, crs.cf_unit}, min_bytes);
      if (comm.is_root()) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(file.temp_path(), ec);
        bytes = ec ? 0 : static_cast<std::int64_t>(size);
      }
      file.commit(ok, min_bytes);
    }
    if (comm.is_root()) {
      perf::add_bytes_written(bytes);
      s = pair_summary(p, "dod", crs);
      s["cell"] = o.cell;
      s["area_unit"] = crs.unit + "\u00b2";
      s["volume_unit"] = crs.volume_unit();
      s["width"] = grid.nx;
      s["height"] = grid.ny;
      s["format"] = format == detail::DodFormat::kNetCdf ? "netcdf" : "geotiff";
      if (format == detail::DodFormat::kNetCdf)
        s["nc_format"] = io::nc_format_name(o.nc_format);
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
    }
  }
  detail::finish_outputs(comm, p.out, s, fp);
  return comm.is_root() ? s : nlohmann::json();
}

}  // namespace tessera::tiles
