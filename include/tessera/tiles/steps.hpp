// The distributed steps of the tiles pipeline, one per command:
//
//   tessera tiles info  A.las [B.las]       run_info
//   tessera tiles align --a --b --out       run_align   (ICP, B onto A)
//   tessera tiles dod   --a --b --cell      run_dod     (GeoTIFF or NetCDF)
//   tessera tiles c2c   --a --b --max-dist  run_c2c     (LAS 1.4 + distance)
//   tessera tiles m3c2  --a --b ...         run_m3c2    (LAS 1.4 + distance, lod, ...)
//   tessera tiles convert IN OUT            run_convert (LAS <-> LAZ)
//   tessera synth tiles --out --scale       run_synth
//
// Each is collective over `comm`, reads each input once (every rank its own
// block of records), and writes its outputs atomically; the returned summary
// (rank 0; null elsewhere) is also written beside the output as
// "<out>.summary.json". A step whose output is up to date with its inputs and
// options (fingerprint sidecar) is skipped unless `clobber`.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "tessera/core/mpi.hpp"
#include "tessera/io/nc_file.hpp"
#include "tessera/tiles/c2c.hpp"
#include "tessera/tiles/dod.hpp"
#include "tessera/tiles/icp.hpp"
#include "tessera/tiles/m3c2.hpp"

namespace tessera::tiles {

/// Options every two-epoch step shares.
struct PairOptions {
  std::filesystem::path a, b, out;
  double tile_size = 500;
  double halo = -1;             ///< < 0: automatic (the method's minimum)
  std::vector<int> classes{2};  ///< empty: all classes
  bool clobber = false;
  /// c2c, m3c2: MiB of tile points (core + halo, both epochs) a rank holds
  /// at once; tiles are processed in rounds to fit (tile_rounds.hpp). 0 =
  /// unlimited (one round). Outputs do not depend on it.
  double memory_mb = 0;
  /// Coordinates are metres even if the CRS is geographic (--assume-metric);
  /// without it a geographic CRS is refused (epoch_crs.hpp).
  bool assume_metric = false;
};

nlohmann::json run_info(const Comm& comm, const std::vector<std::filesystem::path>& files);

struct C2cStepOptions {
  PairOptions pair;
  C2cOptions c2c;
  int bins = 50;
  /// Without a --memory-mb budget, MiB of tile points a rank holds per round
  /// (0: one round; raised to the largest tile): later rounds reuse the first
  /// one's memory, which costs far less than faulting in fresh pages.
  double round_mb = 64;
};
nlohmann::json run_c2c(const Comm& comm, const C2cStepOptions& options);

struct M3c2StepOptions {
  PairOptions pair;
  M3c2Options m3c2;
  std::int64_t core_step = 1;  ///< core points: A points whose record index % step == 0
};
nlohmann::json run_m3c2(const Comm& comm, const M3c2StepOptions& options);

struct DodStepOptions {
  PairOptions pair;
  double cell = 1.0;
  CellAggregate aggregate = CellAggregate::kMean;
  double threshold = 0.1;  ///< |d| above which a cell counts as changed (m)
  /// Layout of a .nc output: NetCDF-4 (GDAL, netCDF4, xarray read it) or CDF-5.
  io::NcFormat nc_format = io::NcFormat::kNetcdf4;
};
nlohmann::json run_dod(const Comm& comm, const DodStepOptions& options);

struct AlignStepOptions {
  PairOptions pair;
  IcpOptions icp;
  std::int64_t sample = 200000;  ///< points per epoch used by ICP (every k-th)
};
nlohmann::json run_align(const Comm& comm, const AlignStepOptions& options);

struct SynthOptions {
  std::filesystem::path out;
  std::string scale = "tiny";
  bool changes = true;
  bool misalign = false;
  bool clobber = false;
};
nlohmann::json run_synth(const Comm& comm, const SynthOptions& options);

struct ConvertOptions {
  std::filesystem::path in, out;     ///< LAS or LAZ each (LAZ: extension .laz)
  std::uint32_t chunk_size = 50000;  ///< points per LAZ chunk written
  bool clobber = false;
};
/// The records of `in` unchanged in `out`, LAS or LAZ by its extension
/// (header, VLRs, EVLR-free). Each rank converts a range of chunks (of the
/// LAZ written, or of the LAZ read) or of records, compressing or decoding
/// its own chunks; rank 0 writes the header and the chunk table.
nlohmann::json run_convert(const Comm& comm, const ConvertOptions& options);

/// WKT for a LAS CRS string ("EPSG:n" is expanded through GDAL/PROJ).
std::string crs_wkt_of(const std::string& las_crs);

}  // namespace tessera::tiles
