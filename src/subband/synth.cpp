#include "tessera/subband/synth.hpp"

#include <fmt/format.h>

#include <cmath>
#include <complex>
#include <fstream>
#include <numbers>
#include <random>

#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/hdf5.hpp"
#include "tessera/io/uvh5_hdf5.hpp"
#include "tessera/subband/grouping.hpp"
#include "tessera/subband/phase.hpp"
#include "tessera/subband/uvw.hpp"

namespace tessera::subband {

namespace {
constexpr double kDeg = std::numbers::pi / 180.0;
constexpr double kIntegration = 12.884902;       // s, DSA-110
constexpr double kTopFrequency = 1498.75e6;      // Hz, sb00 channel 0
constexpr double kBandwidth = 768 * 244140.625;  // Hz, 16 subbands
}  // namespace

SynthScale synth_scale(const std::string& name) {
  if (name == "tiny")
    return {6, 4, 4, 2};
  if (name == "small")
    return {20, 16, 8, 2};
  if (name == "dsa110")
    return {96, 48, 24, 2};
  throw UsageError(fmt::format("unknown scale '{}' (tiny, small or dsa110)", name), "", "--scale");
}

Site synth_site() {
  return {37.2314 * kDeg, -118.2817 * kDeg, 1222.0};
}

std::vector<SynthSource> synth_sources(const SynthOptions& o) {
  const auto start = parse_stamp(o.start);
  if (!start)
    throw UsageError("bad --start '" + o.start + "' (YYYY-MM-DDTHH:MM:SS)", "", "--start");
  const double mid = unix_to_jd(*start + 0.5 * o.scale.ntimes * kIntegration);
  const SkyPosition c = meridian_to_icrs(o.pointing_dec_deg * kDeg, mid, {}, synth_site());
  std::vector<SynthSource> out{{c, 10.0}};
  const double offsets[][3] = {{0.5, 0.3, 3.0}, {-0.4, -0.6, 2.0}, {1.1, 0.2, 1.0}};
  for (int k = 1; k < o.sources && k <= 3; ++k) {
    const auto& off = offsets[k - 1];
    out.push_back({{c.ra + off[0] * kDeg / std::cos(c.dec), c.dec + off[1] * kDeg}, off[2]});
  }
  return out;
}

namespace {

struct Array {
  std::vector<std::int64_t> numbers;
  std::vector<std::string> names;
  std::vector<double> ecef;  // relative ECEF, 3 per antenna
  std::vector<Vec3> local;   // local equatorial
};

Array make_array(int nants, const Site& site) {
  Array a;
  const int n_ew = std::max(2, (2 * nants + 2) / 3), n_ns = nants - n_ew;
  const double ew_len = nants >= 48 ? 2400.0 : 40.0 * n_ew;
  for (int i = 0; i < nants; ++i) {
    Vec3 enu;
    if (i < n_ew) {
      enu = {(i - 0.5 * (n_ew - 1)) * ew_len / n_ew + 0.37 * (i % 3), 0.21 * (i % 2), 0.0};
    } else {
      const int j = i - n_ew;
      enu = {0.5 * (j % 2), 60.0 + j * ew_len / (2.0 * std::max(1, n_ns)), 0.3};
    }
    const Vec3 ecef = enu_to_ecef(enu, site.latitude, site.longitude);
    a.numbers.push_back(i + 1);
    a.names.push_back(fmt::format("{}", i + 1));
    a.ecef.insert(a.ecef.end(), ecef.begin(), ecef.end());
    a.local.push_back(ecef_to_local_equatorial(ecef, site.longitude));
  }
  return a;
}

void write_subband(const std::filesystem::path& final_path, const SynthOptions& o, const Array& arr,
                   const std::vector<SynthSource>& sources, double t0_unix, int sb,
                   std::uint64_t seed) {
  const Site site = synth_site();
  const SynthScale& s = o.scale;
  const int nants = s.nants, nchan = s.nchan, ntimes = s.ntimes, npols = s.npols;
  const std::int64_t nbls = static_cast<std::int64_t>(nants) * (nants + 1) / 2;
  const std::int64_t nblts = nbls * ntimes;
  const double df = kBandwidth / (kSubbandsPerGroup * nchan);
  std::vector<double> freq(static_cast<std::size_t>(nchan));
  for (int j = 0; j < nchan; ++j)
    freq[static_cast<std::size_t>(j)] = kTopFrequency - (sb * nchan + j) * df;
  std::vector<double> times(static_cast<std::size_t>(ntimes));
  for (int t = 0; t < ntimes; ++t) {
    times[static_cast<std::size_t>(t)] = unix_to_jd(t0_unix + (t + 0.5) * kIntegration);
  }
  // Per time: meridian (drift) centre and each source's hour angle/dec.
  const double dec0 = o.pointing_dec_deg * kDeg;
  std::vector<std::int64_t> a1, a2;
  std::vector<int> i1, i2, ti;
  std::vector<double> time_array, uvw32src;
  for (int t = 0; t < ntimes; ++t) {
    for (int a = 0; a < nants; ++a) {
      for (int b = a; b < nants; ++b) {
        a1.push_back(arr.numbers[static_cast<std::size_t>(a)]);
        a2.push_back(arr.numbers[static_cast<std::size_t>(b)]);
        i1.push_back(a), i2.push_back(b), ti.push_back(t);
        time_array.push_back(times[static_cast<std::size_t>(t)]);
      }
    }
  }
  const auto uvw0 =
      baseline_uvw(arr.local, std::vector<double>(static_cast<std::size_t>(ntimes), 0.0),
                   std::vector<double>(static_cast<std::size_t>(ntimes), dec0), i1, i2, ti);
  std::vector<std::vector<double>> wsrc;
  for (const auto& src : sources) {
    std::vector<double> ha(static_cast<std::size_t>(ntimes)), dec(static_cast<std::size_t>(ntimes));
    for (int t = 0; t < ntimes; ++t) {
      const double jd = times[static_cast<std::size_t>(t)];
      const SkyPosition app = icrs_to_apparent(src.icrs, jd, {}, site);
      ha[static_cast<std::size_t>(t)] = apparent_sidereal_time(jd, 0.0, site.longitude) - app.ra;
      dec[static_cast<std::size_t>(t)] = app.dec;
    }
    wsrc.push_back(baseline_uvw(arr.local, ha, dec, i1, i2, ti));
  }
  const std::size_t ncell = static_cast<std::size_t>(nblts) * nchan * npols;
  std::vector<std::complex<float>> vis(ncell);
  const double k = 2.0 * std::numbers::pi / kSpeedOfLight;
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < nblts; ++r) {
    // Per-row generator: the data do not depend on the thread count.
    std::mt19937_64 rng(seed * 1000003ull + static_cast<std::uint64_t>(r));
    std::normal_distribution<double> gauss(0.0, o.noise > 0 ? o.noise : 1.0);
    for (int j = 0; j < nchan; ++j) {
      std::complex<double> v = 0;
      for (std::size_t q = 0; q < sources.size(); ++q) {
        const double dw = wsrc[q][3 * static_cast<std::size_t>(r) + 2] -
                          uvw0[3 * static_cast<std::size_t>(r) + 2];
        v += sources[q].flux * std::polar(1.0, k * dw * freq[static_cast<std::size_t>(j)]);
      }
      for (int p = 0; p < npols; ++p) {
        std::complex<double> x = (p == 0 || p == npols - 1) ? v : std::complex<double>(0.0);
        if (o.noise > 0)
          x += std::complex<double>(gauss(rng), gauss(rng));
        vis[(static_cast<std::size_t>(r) * nchan + j) * npols + p] = std::complex<float>(x);
      }
    }
  }
  std::vector<std::uint8_t> flags(ncell, 0);
  std::vector<float> nsamples(ncell, 1.0f);
  std::vector<float> uvw_f(uvw0.begin(), uvw0.end());

  const auto tmp = final_path.parent_path() /
                   (final_path.stem().string() + "_incomplete" + final_path.extension().string());
  {
    io::File f(tmp, io::File::Mode::kCreate);
    f.create_group("Header");
    f.create_group("Header/extra_keywords");
    f.create_group("Data");
    using U = std::uint64_t;
    const U un = static_cast<U>(nblts);
    io::h5::write_double(f, "Header/latitude", site.latitude / kDeg, true);
    io::h5::write_double(f, "Header/longitude", site.longitude / kDeg, true);
    io::h5::write_double(f, "Header/altitude", site.altitude, true);
    io::h5::write_string(f, "Header/telescope_name", "OVRO_MMA", true);
    io::h5::write_string(f, "Header/instrument", "DSA", true);
    io::h5::write_string(f, "Header/history", "synthetic DSA-110 subband (tessera synth subband)",
                         true);
    io::h5::write_string(f, "Header/phase_type", "drift", true);
    io::h5::write_int(f, "Header/Nants_data", nants, true);
    io::h5::write_int(f, "Header/Nants_telescope", nants, true);
    io::h5::write_int(f, "Header/Nbls", nbls, true);
    io::h5::write_int(f, "Header/Nblts", nblts, true);
    io::h5::write_int(f, "Header/Nspws", 1, true);
    io::h5::write_int(f, "Header/Nfreqs", nchan, true);
    io::h5::write_int(f, "Header/Npols", npols, true);
    io::h5::write_int(f, "Header/Ntimes", ntimes, true);
    io::h5::write_ints(f, "Header/ant_1_array", a1, {un}, true);
    io::h5::write_ints(f, "Header/ant_2_array", a2, {un}, true);
    io::h5::write_ints(f, "Header/antenna_numbers", arr.numbers, {static_cast<U>(nants)}, true);
    io::h5::write_strings(f, "Header/antenna_names", arr.names, true);
    io::h5::write_doubles(f, "Header/antenna_positions", arr.ecef, {static_cast<U>(nants), 3},
                          true);
    io::h5::write_doubles(f, "Header/antenna_diameters",
                          std::vector<double>(static_cast<std::size_t>(nants), 4.65),
                          {static_cast<U>(nants)}, true);
    io::h5::write_dataset(f, "Header/uvw_array", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {un, 3},
                          uvw_f.data(), true);
    io::h5::write_doubles(f, "Header/time_array", time_array, {un}, true);
    io::h5::write_doubles(f, "Header/integration_time", std::vector<double>(un, kIntegration), {un},
                          true);
    io::h5::write_doubles(f, "Header/freq_array", freq, {1, static_cast<U>(nchan)}, true);
    io::h5::write_double(f, "Header/channel_width", df, true);
    io::h5::write_ints(f, "Header/spw_array", {0}, {1}, true);
    std::vector<std::int64_t> pols = npols == 4   ? std::vector<std::int64_t>{-5, -7, -8, -6}
                                     : npols == 2 ? std::vector<std::int64_t>{-5, -6}
                                                  : std::vector<std::int64_t>{-5};
    io::h5::write_ints(f, "Header/polarization_array", pols, {static_cast<U>(npols)}, true);
    io::h5::write_double(f, "Header/extra_keywords/phase_center_dec", dec0, true);
    const std::vector<U> dims{un, 1, static_cast<U>(nchan), static_cast<U>(npols)};
    io::Handle ct = io::h5::complex_float_type();
    io::Handle bt = io::h5::bool_enum_type();
    io::h5::write_dataset(f, "Data/visdata", ct.id(), ct.id(), dims, vis.data(), true);
    io::h5::write_dataset(f, "Data/flags", bt.id(), bt.id(), dims, flags.data(), true);
    io::h5::write_dataset(f, "Data/nsamples", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, dims,
                          nsamples.data(), true);
    f.close();
  }
  std::filesystem::rename(tmp, final_path);
  perf::add_bytes_written(static_cast<std::int64_t>(std::filesystem::file_size(final_path)));
}

}  // namespace

int synthesize(const Comm& comm, const std::filesystem::path& outdir, const SynthOptions& o) {
  perf::Region region("synth");
  std::filesystem::create_directories(outdir);
  const auto start = parse_stamp(o.start);
  if (!start)
    throw UsageError("bad --start '" + o.start + "'", "", "--start");
  const Site site = synth_site();
  const Array arr = make_array(o.scale.nants, site);
  const auto sources = synth_sources(o);
  if (comm.is_root()) {
    std::ofstream txt(outdir / "synth_sources.txt");
    for (const auto& s : sources) {
      txt << fmt::format("{:.12f} {:.12f} {}\n", s.icrs.ra / kDeg, s.icrs.dec / kDeg, s.flux);
    }
  }
  const std::int64_t nfiles = static_cast<std::int64_t>(o.groups) * kSubbandsPerGroup;
  const BlockRange mine = block_range(nfiles, comm.size(), comm.rank());
  int written = 0;
  // A phase, not a barrier: a rank whose write failed fails every rank.
  run_phase(comm, "synth subband: write files", [&] {
    for (std::int64_t i = mine.begin; i < mine.end; ++i) {
      const int g = static_cast<int>(i / kSubbandsPerGroup),
                sb = static_cast<int>(i % kSubbandsPerGroup);
      // Groups follow each other without gaps; node clocks differ by a few seconds.
      const double t0 = *start + g * 24 * kIntegration;  // the real ~5-minute cadence
      const double stamp = std::floor(t0) + (sb * 7) % 5;
      const auto path = outdir / fmt::format("{}_sb{:02d}.hdf5", format_stamp(stamp), sb);
      write_subband(path, o, arr, sources, t0, sb, o.seed + static_cast<std::uint64_t>(i));
      ++written;
      perf::add_items(1);
    }
  });
  return written;
}

}  // namespace tessera::subband
