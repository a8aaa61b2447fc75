// A GeoTIFF written from bands on every rank; see banded_geotiff.hpp.
#include "banded_geotiff.hpp"

#include <algorithm>
#include <climits>
#include <exception>
#include <limits>
#include <numeric>
#include <optional>
#include <vector>

#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/tiff_tiles.hpp"

namespace tessera::tiles::detail {

namespace {

constexpr int kGoTag = 7300, kSizesTag = 7301, kBytesTag = 7302;

struct Band {
  std::int64_t first_row = 0, rows = 0;
  int rank = 0;
};

/// Every rank's band, in row order; checks that they tile the raster.
std::vector<Band> bands_in_row_order(const Comm& comm, std::int64_t first_row, std::int64_t rows,
                                     int height) {
  const std::vector<std::int64_t> all = comm.allgatherv(std::vector<std::int64_t>{first_row, rows});
  std::vector<Band> bands;
  for (int r = 0; r < comm.size(); ++r) {
    const Band b{all[2 * static_cast<std::size_t>(r)], all[2 * static_cast<std::size_t>(r) + 1], r};
    if (b.rows > 0)
      bands.push_back(b);
  }
  std::sort(bands.begin(), bands.end(),
            [](const Band& x, const Band& y) { return x.first_row < y.first_row; });
  std::int64_t next = 0;
  for (const Band& b : bands) {
    if (b.first_row != next || b.first_row % io::kGeoTiffTile != 0)
      throw std::logic_error("write_banded_geotiff: bands do not tile the raster by tile rows");
    next += b.rows;
  }
  if (next != height)
    throw std::logic_error("write_banded_geotiff: bands do not cover the raster");
  return bands;
}

/// Rank 0: appends every band's tiles in row order, its own from `mine`,
/// the others' as asked for. Each sender waits for rank 0's word before its
/// tile sizes and again before its bytes: once rank 0 has failed (a write
/// that fails, disk full; a buffer it cannot allocate) it tells the
/// remaining senders to skip, so nothing is sent that no one receives and
/// no sender is left blocked; the first error is rethrown at the end.
void append_all(const Comm& comm, const GeoTiffTarget& target, int width,
                const std::vector<Band>& bands, const io::CompressedTiles& mine) {
  std::optional<io::TiffTileAppender> out;
  std::exception_ptr failed;
  auto attempt = [&](auto&& f) {
    if (failed)
      return;
    try {
      f();
    } catch (...) {
      failed = std::current_exception();
    }
  };
  // Tells `rank` whether to go on (no failure so far); returns that.
  auto say = [&](int rank) {
    const int go = failed ? 0 : 1;
    comm.send_bytes(&go, sizeof go, rank, kGoTag);
    return go == 1;
  };
  attempt([&] { out.emplace(target.path); });
  const int across = io::tiles_across(width);
  io::CompressedTiles theirs;
  for (const Band& b : bands) {
    const auto first_tile = static_cast<std::uint32_t>(b.first_row / io::kGeoTiffTile * across);
    if (b.rank == 0) {
      attempt([&] { out->write(first_tile, mine); });
      continue;
    }
    const std::int64_t tiles = (b.rows + io::kGeoTiffTile - 1) / io::kGeoTiffTile * across;
    attempt([&] { theirs.sizes.resize(static_cast<std::size_t>(tiles)); });
    if (!say(b.rank))
      continue;
    comm.recv_bytes(theirs.sizes.data(), theirs.sizes.size() * sizeof(theirs.sizes[0]), b.rank,
                    kSizesTag);
    attempt([&] {
      theirs.bytes.resize(
          std::accumulate(theirs.sizes.begin(), theirs.sizes.end(), std::size_t{0}));
    });
    if (!say(b.rank))
      continue;
    comm.recv_bytes(theirs.bytes.data(), theirs.bytes.size(), b.rank, kBytesTag);
    attempt([&] { out->write(first_tile, theirs); });
  }
  attempt([&] { out->close(); });
  if (failed)
    std::rethrow_exception(failed);
}

/// A rank other than 0: its tiles to rank 0, as far as rank 0 asks.
void send_tiles(const Comm& comm, const io::CompressedTiles& mine) {
  auto told_to_go = [&] {
    int go = 0;
    comm.recv_bytes(&go, sizeof go, 0, kGoTag);
    return go == 1;
  };
  if (!told_to_go())
    return;
  comm.send_bytes(mine.sizes.data(), mine.sizes.size() * sizeof(mine.sizes[0]), 0, kSizesTag);
  if (!told_to_go())
    return;
  comm.send_bytes(mine.bytes.data(), mine.bytes.size(), 0, kBytesTag);
}

}  // namespace

void write_banded_geotiff(const Comm& comm, const GeoTiffTarget& target, int width, int height,
                          std::int64_t first_row, std::span<const double> band) {
  const auto rows = static_cast<std::int64_t>(band.size() / static_cast<std::size_t>(width));
  const std::vector<Band> bands = bands_in_row_order(comm, first_row, rows, height);
  const std::int64_t tile_count =
      std::int64_t{io::tiles_across(width)} * ((height + io::kGeoTiffTile - 1) / io::kGeoTiffTile);
  if (tile_count > INT_MAX)
    throw UsageError("the raster has too many GeoTIFF tiles (" + std::to_string(tile_count) + ")",
                     target.path.string());
  // Rank 0 has GDAL lay the file out first (milliseconds; a bad path or CRS
  // fails every rank before any compression), then every rank compresses.
  io::CompressedTiles mine;
  run_phase(comm, "compress the tiles of " + target.path.filename().string(), [&] {
    perf::Region region("compress");
    if (comm.is_root()) {
      io::GdalRaster::create_geotiff(target.path, width, height, 1, GDT_Float32, target.transform,
                                     target.crs_wkt, std::numeric_limits<double>::quiet_NaN(),
                                     io::GdalRaster::GeoTiffLayout::kDeflateTilesLater)
          .close();
    }
    mine = io::deflate_float32_tiles(band, width, std::numeric_limits<float>::quiet_NaN());
  });
  // Rank 0 writes while the others send and then wait (idly: they have
  // nothing left to do, and a spinning wait takes a core from the node).
  run_phase(
      comm, "write " + target.path.filename().string(),
      [&] {
        perf::Region region("append");
        if (!comm.is_root()) {
          if (rows > 0)
            send_tiles(comm, mine);
          return;
        }
        append_all(comm, target, width, bands, mine);
      },
      PhaseWait::kIdle);
}

}  // namespace tessera::tiles::detail
