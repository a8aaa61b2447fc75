// Synthetic DSA-110-like subband groups (`tessera synth subband`).
//
// A T-shaped array near OVRO (an east-west arm and a north-south arm), 16
// subband files per group written with the real layout quirks: descending
// frequencies per file (sb00 highest), rank-4 visdata (Nblts, 1, Nfreqs,
// Npols), freq_array (1, Nfreqs), scalar channel_width, float32 uvw, the old
// drift header (phase_type "drift", extra_keywords/phase_center_dec), no
// version, vis_units or lst_array; file names stamped a few seconds apart and
// written through a "_incomplete" name, like the correlator nodes.
//
// Visibilities are point sources plus Gaussian noise, fringe-stopped to the
// meridian at the pointing declination: for a source in direction s and the
// meridian direction s0 at each time, V = S exp(+2 pi i b.(s - s0) f / c) with
// b.s the w of that direction (uvw.hpp). After conversion phased to a
// source's position that source has flat phase.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tessera/core/mpi.hpp"
#include "tessera/subband/astrometry.hpp"

namespace tessera::subband {

struct SynthScale {
  int nants = 6;
  int nchan = 4;  ///< channels per subband
  int ntimes = 4;
  int npols = 2;
};

/// "tiny" (tests), "small" (demo), "dsa110" (real sizes). Throws UsageError otherwise.
SynthScale synth_scale(const std::string& name);

struct SynthSource {
  SkyPosition icrs;   ///< radians
  double flux = 1.0;  ///< Jy
};

struct SynthOptions {
  SynthScale scale;
  int groups = 1;
  std::string start = "2022-06-01T03:00:00";  ///< inside astropy's bundled IERS-B table
  double pointing_dec_deg = 45.0;
  int sources = 3;      ///< first one: on the meridian at the first group's mid time
  double noise = 0.05;  ///< Jy per real/imaginary part
  std::uint64_t seed = 42;
};

/// The site of the synthetic array (OVRO) in radians.
Site synth_site();

/// The sources used for `options` (deterministic).
std::vector<SynthSource> synth_sources(const SynthOptions& options);

/// Writes options.groups x 16 files into `outdir` (collective: files are
/// divided among the ranks) and, on rank 0, `outdir/synth_sources.txt`
/// ("ra_deg dec_deg flux_jy" per line). Returns the number of files this rank wrote.
int synthesize(const Comm& comm, const std::filesystem::path& outdir, const SynthOptions& options);

}  // namespace tessera::subband
