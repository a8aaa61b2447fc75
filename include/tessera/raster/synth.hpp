// Synthetic SnowMapper inputs (`tessera synth raster`).
//
// A smooth synthetic DEM on a UTM 42N grid (EPSG:32642, the original's CRS),
// cut into elevation bands x aspect classes (the spatially coherent clusters
// TopoPyScale produces), with a nodata border; one FSM output file per
// cluster with seasonal swe/snd/rof/gst curves that depend on elevation and
// aspect; and a basin layer in EPSG:4326 (a different CRS than the grid) with
// a polygon with a hole, a multipolygon and a REGION grouping field.
// Deterministic: the same scale gives byte-identical files.
#pragma once

#include <filesystem>
#include <string>

namespace tessera::raster {

struct SynthScale {
  std::string name;
  int width = 0, height = 0;
  int elevation_bands = 0, aspect_classes = 4;
  int days = 0;
  double pixel_m = 500.0;
  int clusters() const { return elevation_bands * aspect_classes; }
};

/// tiny | small | medium | large; UsageError otherwise.
SynthScale synth_scale(const std::string& name);

struct SynthOutputs {
  std::filesystem::path landform, fsm_dir, basins;
};

/// Writes landform.tif, fsm/sim_FSM_pt_XXXX.txt and basins.geojson under `out`.
SynthOutputs write_synthetic_inputs(const std::filesystem::path& out, const SynthScale& scale);

}  // namespace tessera::raster
