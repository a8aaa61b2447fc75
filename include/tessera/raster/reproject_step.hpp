// `tessera raster reproject`: warp every day's grid to another CRS.
//
// The output grid is the one gdalwarp would choose (GDALSuggestedWarpOutput2)
// so results line up with `gdalwarp -t_srs`. Days are divided among ranks;
// each rank warps its days (GDAL's warper, NaN nodata kept) in bounded blocks
// and writes them into a CF NetCDF of the same layout (cf_grid.hpp) with
// collective writes, in NetCDF-4 (compressed) or CDF-5 as asked.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tessera/core/failures.hpp"
#include "tessera/core/mpi.hpp"
#include "tessera/core/step_result.hpp"
#include "tessera/raster/cf_grid.hpp"

namespace tessera::raster {

struct ReprojectStepOptions {
  std::filesystem::path grids_dir;
  std::string to = "EPSG:4326";
  std::string resampling = "near";
  std::filesystem::path out_dir;
  bool clobber = false;
  std::int64_t block_bytes = 64LL << 20;
  NcLayout layout;  ///< output format and compression (NetCDF-4 by default)
  /// Where a grid that cannot be read is recorded (then the step goes on
  /// with the other variables); nullptr: it is fatal.
  FailureLog* failures = nullptr;
};

struct ReprojectStepResult {
  std::vector<std::filesystem::path> written, skipped;
  int width = 0, height = 0;
};

/// Collective over `comm`.
ReprojectStepResult run_reproject_step(const Comm& comm, const ReprojectStepOptions& opt);

/// The result in the common shape (core/step_result.hpp): items are
/// variables (one file each; figures width, height).
StepResult to_result(const ReprojectStepResult& r);

}  // namespace tessera::raster
