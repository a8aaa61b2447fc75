#include "tessera/subband/convert.hpp"

#include <erfa.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <numbers>
#include <numeric>
#include <optional>
#include <sstream>

#include <unistd.h>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/fault.hpp"
#include "tessera/core/fingerprint.hpp"
#include "tessera/core/free_space.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/ms_writer.hpp"
#include "tessera/io/uvh5_reader.hpp"
#include "tessera/io/uvh5_writer.hpp"
#include "tessera/subband/eop.hpp"
#include "tessera/subband/phase.hpp"
#include "tessera/subband/uvw.hpp"

namespace tessera::subband {

namespace {

constexpr double kDeg = std::numbers::pi / 180.0;

template <typename T>
std::string digest(const std::vector<T>& v) {
  std::uint64_t h = 14695981039346656037ull;
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  for (std::size_t i = 0; i < v.size() * sizeof(T); ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}:{}", h, v.size());
}

// The fields subbands of one group must share, as digests.
struct FileSummary {
  std::string antennas, baselines, times, polarizations, site;
  std::int64_t nfreqs = 0;
  double pointing_dec = std::nan("");
  std::vector<double> freq, width;
  std::string phase;  ///< "drift", or "sidereal <name> <lon> <lat> <frame>", ...

  std::string encode() const {
    std::string s = fmt::format("{}|{}|{}|{}|{}|{}|{}|", antennas, baselines, times, polarizations,
                                site, nfreqs, pointing_dec);
    for (double f : freq)
      s += fmt::format("{},", f);
    s += '|';
    for (double w : width)
      s += fmt::format("{},", w);
    s += '|' + phase;
    return s;
  }
  static FileSummary decode(const std::string& s) {
    std::vector<std::string> parts;
    std::stringstream ss(s);
    std::string part;
    while (std::getline(ss, part, '|'))
      parts.push_back(part);
    parts.resize(10);
    FileSummary f;
    f.antennas = parts[0], f.baselines = parts[1], f.times = parts[2], f.polarizations = parts[3];
    f.site = parts[4];
    f.nfreqs = std::stoll(parts[5]);
    f.pointing_dec = std::stod(parts[6]);
    auto nums = [](const std::string& text) {
      std::vector<double> out;
      std::stringstream in(text);
      std::string item;
      while (std::getline(in, item, ',')) {
        if (!item.empty())
          out.push_back(std::stod(item));
      }
      return out;
    };
    f.freq = nums(parts[7]);
    f.width = nums(parts[8]);
    f.phase = parts[9];
    return f;
  }
};

FileSummary summarize(const io::Uvh5Header& h) {
  FileSummary s;
  std::vector<double> ants(h.antenna_positions);
  ants.insert(ants.end(), h.antenna_numbers.begin(), h.antenna_numbers.end());
  s.antennas = digest(ants);
  std::vector<std::int64_t> bls(h.ant_1_array);
  bls.insert(bls.end(), h.ant_2_array.begin(), h.ant_2_array.end());
  s.baselines = digest(bls);
  s.times = digest(h.time_array);
  s.polarizations = digest(h.polarization_array);
  s.site = digest(std::vector<double>{h.latitude_deg, h.longitude_deg, h.altitude});
  s.nfreqs = h.nfreqs;
  s.pointing_dec = h.pointing_dec.value_or(std::nan(""));
  s.freq = h.freq_array;
  s.width = h.channel_width;
  s.phase = h.phase_kind;
  if (h.phase_kind == "sidereal") {
    s.phase += fmt::format(" to '{}' ({} lon {:.9f} lat {:.9f} rad)", h.cat_name, h.cat_frame,
                           h.cat_lon, h.cat_lat);
  }
  for (char& c : s.phase) {  // the summary's separators
    if (c == '|' || c == '\n')
      c = ' ';
  }
  return s;
}

// Rank 0's check of the group: every file against the first, naming file and field.
void check_agreement(const std::vector<FileSummary>& s, const std::vector<SubbandFile>& files) {
  const FileSummary& ref = s.front();
  for (std::size_t i = 1; i < s.size(); ++i) {
    auto differ = [&](const char* field) {
      throw FormatError(
          fmt::format("{} differ from those of {}", field, files.front().path.filename().string()),
          files[i].path.string(), std::string("Header/") + field);
    };
    if (s[i].antennas != ref.antennas)
      differ("antennas (antenna_numbers/antenna_positions)");
    if (s[i].baselines != ref.baselines)
      differ("baselines (ant_1_array/ant_2_array)");
    if (s[i].times != ref.times)
      differ("times (time_array)");
    if (s[i].polarizations != ref.polarizations)
      differ("polarizations (polarization_array)");
    if (s[i].site != ref.site)
      differ("site (latitude/longitude/altitude)");
    if (s[i].nfreqs != ref.nfreqs)
      differ("channel counts (Nfreqs)");
    if (s[i].phase != ref.phase) {
      throw FormatError(fmt::format("phased {}, but {} is phased {}: the files of a group must be "
                                    "phased alike",
                                    s[i].phase, files.front().path.filename().string(), ref.phase),
                        files[i].path.string(), "Header (phase_type / phase_center_catalog)");
    }
    const bool nan_a = std::isnan(s[i].pointing_dec), nan_b = std::isnan(ref.pointing_dec);
    if (nan_a != nan_b || (!nan_a && std::abs(s[i].pointing_dec - ref.pointing_dec) > 1e-9)) {
      differ("pointing declinations (phase_center_app_dec)");
    }
  }
  const std::string kind = ref.phase.substr(0, ref.phase.find(' '));
  if (kind != "drift" && kind != "sidereal") {
    throw FormatError(fmt::format("phased '{}': only drift (meridian or zenith) and sidereal "
                                  "(fixed RA/Dec) inputs can be re-phased",
                                  kind),
                      files.front().path.string(), "Header (phase_type / phase_center_catalog)");
  }
  if (kind == "drift" && std::isnan(ref.pointing_dec)) {
    throw FormatError(
        "no pointing declination (phase_center_app_dec, extra_keywords/phase_center_dec or "
        "phase_center_catalog)",
        files.front().path.string(), "Header");
  }
}

struct Placement {
  std::vector<std::int64_t> offset;  ///< first output channel of each file
  std::vector<int> reverse;          ///< file's channels are descending
  std::vector<double> freq, width;   ///< output axis, ascending
};

// Orders files by frequency into one ascending axis; overlapping channels are an error.
Placement place(const std::vector<FileSummary>& s, const std::vector<SubbandFile>& files) {
  const std::size_t n = s.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto lo = [&](std::size_t i) { return *std::min_element(s[i].freq.begin(), s[i].freq.end()); };
  auto hi = [&](std::size_t i) { return *std::max_element(s[i].freq.begin(), s[i].freq.end()); };
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return lo(a) < lo(b); });
  Placement p;
  p.offset.assign(n, 0);
  p.reverse.assign(n, 0);
  std::int64_t next = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = order[k];
    const auto& f = s[i].freq;
    const bool desc = f.size() > 1 && f.front() > f.back();
    for (std::size_t j = 1; j < f.size(); ++j) {
      if ((f[j] > f[j - 1]) == desc || f[j] == f[j - 1]) {
        throw FormatError("freq_array is not monotonic", files[i].path.string(),
                          "Header/freq_array");
      }
    }
    if (k > 0 && lo(i) <= hi(order[k - 1])) {
      throw FormatError(fmt::format("frequencies overlap those of {}",
                                    files[order[k - 1]].path.filename().string()),
                        files[i].path.string(), "Header/freq_array");
    }
    p.offset[i] = next;
    p.reverse[i] = desc ? 1 : 0;
    for (std::size_t j = 0; j < f.size(); ++j) {
      const std::size_t src = desc ? f.size() - 1 - j : j;
      p.freq.push_back(f[src]);
      p.width.push_back(std::abs(s[i].width[src]));
    }
    next += static_cast<std::int64_t>(f.size());
  }
  return p;
}

std::vector<int> antenna_indices(const io::Uvh5Header& h, const std::vector<std::int64_t>& ants) {
  std::map<std::int64_t, int> index;
  for (std::size_t i = 0; i < h.antenna_numbers.size(); ++i) {
    index[h.antenna_numbers[i]] = static_cast<int>(i);
  }
  std::vector<int> out(ants.size());
  for (std::size_t r = 0; r < ants.size(); ++r) {
    auto it = index.find(ants[r]);
    if (it == index.end()) {
      throw FormatError(fmt::format("antenna {} is not in antenna_numbers", ants[r]), h.path,
                        "Header/ant_1_array");
    }
    out[r] = it->second;
  }
  return out;
}

// Geometry of the group: new and old uvw per row and the phase centre.
struct Geometry {
  std::vector<double> uvw_new, uvw_old, lst, app_ra, app_dec, frame_pa;  // per row
  SkyPosition center;
  std::string center_name;
  EarthOrientation mid_eop;  ///< at the group's mid time
  std::string eop_note;      ///< for the history
};

// UT1 - UTC and polar motion at one time, with the table's status.
EopLookup earth_orientation(const ConvertOptions& opt, double jd) {
  EopLookup l;
  if (opt.eop)
    l = opt.eop->at(jd);
  if (opt.dut1_override)
    l.eop.dut1 = *opt.dut1_override;
  return l;
}

// The phase centre a sidereal-phased file carries, in ICRS.
SkyPosition file_phase_center(const io::Uvh5Header& h) {
  if (h.cat_frame == "icrs")
    return {h.cat_lon, h.cat_lat};
  if (h.cat_frame == "fk5" && h.cat_epoch == 2000.0) {
    // FK5 J2000 -> ICRS (Hipparcos frame): the frame rotation and spin of
    // eraFk52h (Mignard & Froeschle 2000), no proper motion.
    double ra = 0, dec = 0, dra = 0, ddec = 0, px = 0, rv = 0;
    eraFk52h(h.cat_lon, h.cat_lat, 0.0, 0.0, 0.0, 0.0, &ra, &dec, &dra, &ddec, &px, &rv);
    return {eraAnp(ra), dec};
  }
  throw FormatError(fmt::format("the file is phased to a position in frame '{}' epoch {}: only "
                                "ICRS and FK5 J2000 are understood; pass --phase-center RA,DEC",
                                h.cat_frame, h.cat_epoch),
                    h.path, "Header/phase_center_catalog (cat_frame)");
}

Geometry compute_geometry(const io::Uvh5Header& h, const ConvertOptions& opt, bool report,
                          const std::string& gname) {
  perf::Region region("uvw");
  Site site{h.latitude_deg * kDeg, h.longitude_deg * kDeg, h.altitude};
  // Unique times (24 per DSA-110 group) and each row's index into them.
  std::vector<double> times(h.time_array);
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  std::vector<int> tindex(h.time_array.size());
  for (std::size_t r = 0; r < tindex.size(); ++r) {
    tindex[r] = static_cast<int>(std::lower_bound(times.begin(), times.end(), h.time_array[r]) -
                                 times.begin());
  }
  const double mid = 0.5 * (times.front() + times.back());
  const std::size_t nt = times.size();
  Geometry g;
  std::vector<EarthOrientation> eop(nt);
  std::size_t outside = 0;
  for (std::size_t t = 0; t < nt; ++t) {
    const EopLookup l = earth_orientation(opt, times[t]);
    eop[t] = l.eop;
    outside += l.status != EopStatus::kInTable ? 1 : 0;
  }
  g.mid_eop = earth_orientation(opt, mid).eop;
  if (!opt.eop) {
    g.eop_note = "no Earth-orientation table: no polar motion";
  } else {
    g.eop_note = fmt::format(
        "Earth orientation from {} (MJD {:.0f}-{:.0f}): polar motion x {:.4f}\" "
        "y {:.4f}\" at mid time",
        std::filesystem::path(opt.eop->source()).filename().string(), opt.eop->first_mjd(),
        opt.eop->last_mjd(), g.mid_eop.xp / kDeg * 3600.0, g.mid_eop.yp / kDeg * 3600.0);
    if (outside > 0) {
      const std::string msg = fmt::format(
          "{}: {} of {} times lie outside the Earth-orientation table {} ({} to {}); there "
          "UT1 - UTC = 0 and the 1962-2014 mean polar motion (x 0.035\", y 0.29\") are used, as "
          "astropy does (errors up to ~1 s of UT1, ~0.5\"); pass --eop with a newer IERS table "
          "(EOP C04 or finals2000A)",
          gname, outside, nt, opt.eop->source(), mjd_date(opt.eop->first_mjd()),
          mjd_date(opt.eop->last_mjd()));
      if (report)
        log::warn("{}", msg);
      g.eop_note += fmt::format("; {} of {} times outside the table (UT1 = UTC, mean polar motion)",
                                outside, nt);
    }
  }
  if (opt.dut1_override)
    g.eop_note += fmt::format("; UT1 - UTC set to {} s by --dut1", *opt.dut1_override);
  else
    g.eop_note += fmt::format("; UT1 - UTC {} s at mid time", g.mid_eop.dut1);
  if (opt.phase_center) {
    g.center = *opt.phase_center;
    g.center_name = fmt::format("RA {:.6f} Dec {:.6f}", g.center.ra / kDeg, g.center.dec / kDeg);
  } else if (h.phase_kind == "sidereal") {
    g.center = file_phase_center(h);
    g.center_name = h.cat_name.empty() ? "the input's phase centre" : h.cat_name;
  } else {
    g.center = meridian_to_icrs(*h.pointing_dec, mid, g.mid_eop, site);
    g.center_name = "meridian";
  }
  std::vector<double> ha_new(nt), dec_new(nt), last(nt), ra_t(nt), pa(nt);
  for (std::size_t t = 0; t < nt; ++t) {
    last[t] = apparent_sidereal_time(times[t], eop[t].dut1, site.longitude);
    const SkyPosition app = icrs_to_apparent(g.center, times[t], eop[t], site);
    ha_new[t] = last[t] - app.ra;
    dec_new[t] = app.dec;
    ra_t[t] = app.ra;
    pa[t] = frame_position_angle(app, times[t], eop[t], site);
  }
  std::vector<Vec3> local(static_cast<std::size_t>(h.nants_telescope));
  for (std::size_t a = 0; a < local.size(); ++a) {
    local[a] = ecef_to_local_equatorial({h.antenna_positions[3 * a], h.antenna_positions[3 * a + 1],
                                         h.antenna_positions[3 * a + 2]},
                                        site.longitude);
  }
  const auto a1 = antenna_indices(h, h.ant_1_array);
  const auto a2 = antenna_indices(h, h.ant_2_array);
  g.uvw_new = baseline_uvw(local, ha_new, dec_new, a1, a2, tindex);
  const std::size_t nrows = h.time_array.size();
  // (u, v) turned by the frame position angle so that v points to ICRS north
  // (pyuvdata's calc_uvw: a rotation about w by phase_center_frame_pa); w,
  // and therefore the phasing, is unchanged.
  for (std::size_t r = 0; r < nrows; ++r) {
    const double p = pa[static_cast<std::size_t>(tindex[r])];
    const double c = std::cos(p), sn = std::sin(p);
    const double u = g.uvw_new[3 * r], v = g.uvw_new[3 * r + 1];
    g.uvw_new[3 * r] = c * u - sn * v;
    g.uvw_new[3 * r + 1] = sn * u + c * v;
  }
  if (h.phase_kind == "sidereal") {
    // The file's own w is what its visibilities were phased with (pyuvdata
    // unprojects with the stored uvw_array too).
    g.uvw_old = h.uvw_array;
  } else {
    // Drift input: fringe-stopped to the meridian (hour angle 0) at the
    // pointing dec; the zenith when that is the latitude.
    g.uvw_old = baseline_uvw(local, std::vector<double>(nt, 0.0),
                             std::vector<double>(nt, *h.pointing_dec), a1, a2, tindex);
  }
  g.lst.resize(nrows);
  g.app_ra.resize(nrows);
  g.app_dec.resize(nrows);
  g.frame_pa.resize(nrows);
  for (std::size_t r = 0; r < nrows; ++r) {
    const auto t = static_cast<std::size_t>(tindex[r]);
    g.lst[r] = last[t];
    g.app_ra[r] = ra_t[t];
    g.app_dec[r] = dec_new[t];
    g.frame_pa[r] = pa[t];
  }
  return g;
}

// The Measurement Set of a group is written by the group's rank 0 into a
// hidden directory, fed one subband at a time: rank 0's own, then each other
// rank's in rank order (point-to-point, one subband in memory at a time).
// Removed unless renamed into place.
struct MsOutput {
  std::filesystem::path temp, final_path;
  std::unique_ptr<io::MsWriter> writer;
  double seconds = 0;
  bool committed = false;
  ~MsOutput() {
    writer.reset();
    if (!temp.empty() && !committed) {
      std::error_code ec;
      std::filesystem::remove_all(temp, ec);
    }
  }
};

constexpr int kMsTag = 19;

// One round of the feed: every rank holding a subband this round hands it to
// rank 0, which writes it. A failed write on rank 0 is captured and the
// receives go on, so no sender waits; the caller agrees the outcome.
void feed_ms(const Comm& comm, MsOutput& ms, std::int64_t nfiles, std::int64_t round,
             const std::vector<double>& plan, std::int64_t nchan_mine, io::Uvh5Data& data,
             std::exception_ptr& failed) {
  for (int src = 0; src < comm.size(); ++src) {
    const BlockRange theirs = block_range(nfiles, comm.size(), src);
    const std::int64_t j = theirs.begin + round;
    if (j >= theirs.end)
      continue;
    const auto first = static_cast<std::uint64_t>(plan[static_cast<std::size_t>(2 * j)]);
    if (src == comm.rank() && comm.is_root()) {
      capture_error(failed, [&] {
        const auto start = std::chrono::steady_clock::now();
        ms.writer->write_channels(first, static_cast<std::uint64_t>(nchan_mine),
                                  data.visdata.data(), data.flags.data());
        ms.seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      });
    } else if (src == comm.rank()) {
      const std::int64_t shape[2] = {nchan_mine, static_cast<std::int64_t>(data.flags.size())};
      comm.send_bytes(shape, sizeof shape, 0, kMsTag);
      comm.send_bytes(data.visdata.data(), data.visdata.size() * sizeof(data.visdata[0]), 0,
                      kMsTag);
      comm.send_bytes(data.flags.data(), data.flags.size(), 0, kMsTag);
    } else if (comm.is_root()) {
      // Rank 0's own subband is written: its buffers take the next one.
      std::int64_t shape[2] = {0, 0};
      comm.recv_bytes(shape, sizeof shape, src, kMsTag);
      const auto count = static_cast<std::size_t>(shape[1]);
      data.visdata.resize(count);
      data.flags.resize(count);
      comm.recv_bytes(data.visdata.data(), count * sizeof(data.visdata[0]), src, kMsTag);
      comm.recv_bytes(data.flags.data(), count, src, kMsTag);
      capture_error(failed, [&] {
        const auto start = std::chrono::steady_clock::now();
        ms.writer->write_channels(first, static_cast<std::uint64_t>(shape[0]), data.visdata.data(),
                                  data.flags.data());
        fault_point("subband.ms.feed");  // as if writing another rank's subband failed
        ms.seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      });
    }
  }
}

}  // namespace

std::filesystem::path output_path(const std::filesystem::path& outdir, const SubbandGroup& group) {
  return outdir / (group.stamp + ".uvh5");
}

ConvertResult convert_group(const Comm& comm, const SubbandGroup& group,
                            const std::filesystem::path& outdir, const ConvertOptions& opt) {
  perf::Region region("convert_group");
  const std::string gname = "group " + group.stamp;
  if (!group.duplicates.empty()) {
    throw FormatError("duplicate subband " + group.duplicates.front(),
                      group.files.front().path.string(), gname);
  }
  if (group.files.empty())
    throw FormatError("group has no files", "", gname);
  if (group.files.size() != kSubbandsPerGroup && !opt.allow_partial) {
    std::string missing;
    for (int m : group.missing())
      missing += fmt::format(" sb{:02d}", m);
    throw FormatError(fmt::format("incomplete group: {} of {} subbands (missing{}); not converted "
                                  "(use --allow-partial to convert what is there)",
                                  group.files.size(), kSubbandsPerGroup, missing),
                      group.files.front().path.string(), gname);
  }
  ConvertResult result;
  result.output = output_path(outdir, group);
  const bool want_ms = opt.format != OutputFormat::kUvh5;
  const bool want_uvh5 = opt.format != OutputFormat::kMs;
  if (want_ms)
    result.ms_output = outdir / (group.stamp + ".ms");
  if (!want_uvh5)
    result.output = result.ms_output;
  // Files in decreasing subband number: DSA-110's sb15 is the lowest frequency,
  // so contiguous blocks of this order are contiguous frequency slabs.
  std::vector<SubbandFile> files(group.files.rbegin(), group.files.rend());
  const auto n = static_cast<std::int64_t>(files.size());
  result.nfiles = n;

  Fingerprint fp;
  for (const auto& f : files)
    fp.add_file(f.path);
  fp.add("phase_center", opt.phase_center
                             ? fmt::format("{},{}", opt.phase_center->ra, opt.phase_center->dec)
                             : "meridian");
  if (opt.eop) {
    fp.add("eop", fmt::format("{}:{}:{}:{}", opt.eop->source(), opt.eop->size(),
                              opt.eop->first_mjd(), opt.eop->last_mjd()));
  }
  if (opt.dut1_override)
    fp.add("dut1", fmt::format("{}", *opt.dut1_override));
  fp.add("format", "uvh5-1.1/v1");
  if (opt.format != OutputFormat::kUvh5)
    fp.add("ms", "ms-v2/v2");  // v2: pyuvdata orientation (conjugated DATA, negated UVW)
  std::int64_t up_to_date = 0;
  if (comm.is_root() && !opt.clobber) {
    const bool uvh5_ok = opt.format == OutputFormat::kMs || is_up_to_date(result.output, fp);
    up_to_date = uvh5_ok && (!want_ms || is_up_to_date(result.ms_output, fp)) ? 1 : 0;
  }
  comm.bcast(up_to_date);
  if (up_to_date) {
    result.skipped = true;
    return result;
  }

  const BlockRange mine = block_range(n, comm.size(), comm.rank());
  std::vector<io::Uvh5Header> headers;
  run_phase(comm, "read subband headers", [&] {
    perf::Region r("read_headers");
    for (std::int64_t i = mine.begin; i < mine.end; ++i) {
      headers.push_back(io::read_uvh5_header(files[static_cast<std::size_t>(i)].path));
    }
  });
  // Rank 0 checks every file against the first and places them on one axis.
  std::string mine_encoded;
  for (const auto& h : headers)
    mine_encoded += summarize(h).encode() + "\n";
  const auto gathered = comm.gather_strings(mine_encoded);
  std::vector<double> plan;  // [offset, reverse] per file, then the axis
  Placement placement;
  run_phase(comm, "check subband agreement", [&] {
    if (!comm.is_root())
      return;
    std::vector<FileSummary> summaries;
    for (const auto& block : gathered) {
      std::stringstream in(block);
      std::string line;
      while (std::getline(in, line)) {
        if (!line.empty())
          summaries.push_back(FileSummary::decode(line));
      }
    }
    if (static_cast<std::int64_t>(summaries.size()) != n) {
      throw ParallelError("subband summaries lost in gather", "", gname);
    }
    check_agreement(summaries, files);
    placement = place(summaries, files);
    for (std::int64_t i = 0; i < n; ++i) {
      plan.push_back(static_cast<double>(placement.offset[static_cast<std::size_t>(i)]));
      plan.push_back(placement.reverse[static_cast<std::size_t>(i)]);
    }
  });
  comm.bcast(plan);

  // Geometry: every rank holding files needs w; rank 0 also writes the header.
  Geometry geo;
  run_phase(comm, "phase centre and uvw", [&] {
    if (!headers.empty())
      geo = compute_geometry(headers.front(), opt, comm.is_root(), gname);
  });

  std::optional<CollectiveAtomicFile> out;
  if (want_uvh5)
    out.emplace(comm, result.output, true);
  io::Uvh5Output hdr;
  if (comm.is_root()) {
    const io::Uvh5Header& h = headers.front();
    hdr.latitude_deg = h.latitude_deg, hdr.longitude_deg = h.longitude_deg;
    hdr.altitude = h.altitude;
    hdr.telescope_name = h.telescope_name;
    hdr.instrument = h.instrument.empty() ? h.telescope_name : h.instrument;
    hdr.vis_units = h.vis_units.empty() ? "uncalib" : h.vis_units;
    hdr.nants_data = h.nants_data, hdr.nants_telescope = h.nants_telescope;
    hdr.nbls = h.nbls, hdr.nblts = h.nblts, hdr.npols = h.npols, hdr.ntimes = h.ntimes;
    hdr.nfreqs = static_cast<std::int64_t>(placement.freq.size());
    hdr.ant_1_array = h.ant_1_array, hdr.ant_2_array = h.ant_2_array;
    hdr.antenna_numbers = h.antenna_numbers, hdr.antenna_names = h.antenna_names;
    hdr.antenna_positions = h.antenna_positions, hdr.antenna_diameters = h.antenna_diameters;
    hdr.polarization_array = h.polarization_array;
    hdr.uvw_array = geo.uvw_new;
    hdr.time_array = h.time_array, hdr.integration_time = h.integration_time;
    hdr.lst_array = geo.lst;
    hdr.freq_array = placement.freq, hdr.channel_width = placement.width;
    hdr.cat_name = geo.center_name, hdr.cat_lon = geo.center.ra, hdr.cat_lat = geo.center.dec;
    hdr.phase_center_app_ra = geo.app_ra, hdr.phase_center_app_dec = geo.app_dec;
    hdr.phase_center_frame_pa = geo.frame_pa;
    hdr.dut1 = geo.mid_eop.dut1;
    std::string names;
    for (const auto& f : group.files)
      names += " " + f.path.filename().string();
    const std::string from =
        h.phase_kind == "sidereal"
            ? fmt::format("from the input's phasing to {} (its uvw w undone)", h.cat_name)
            : fmt::format("from the {} at dec {:.6f} deg",
                          h.pointing_dec_is_latitude ? "zenith (drift header without a pointing "
                                                       "declination: the latitude)"
                                                     : "meridian",
                          *h.pointing_dec / kDeg);
    hdr.history = fmt::format(
        "{}\nConverted by tessera subband convert: {} subbands merged into one spectral window "
        "(ascending frequency), uvw recomputed from antenna positions (ERFA IAU 2006/2000A; {}), "
        "phased {} to {} (ICRS RA {:.8f} deg, Dec {:.8f} deg). Inputs:{}",
        h.history, n, geo.eop_note, from, geo.center_name, geo.center.ra / kDeg,
        geo.center.dec / kDeg, names);
    double worst = 0, worst_negated = 0;
    for (std::size_t k = 0; k < h.uvw_array.size(); ++k) {
      worst = std::max(worst, std::abs(h.uvw_array[k] - geo.uvw_old[k]));
      worst_negated = std::max(worst_negated, std::abs(h.uvw_array[k] + geo.uvw_old[k]));
    }
    result.max_drift_uvw_error = worst;
    if (worst > 0.01 && worst_negated <= 0.01 && h.phase_kind == "drift") {
      // Old HERA files (pyuvdata 1.x) store uvw = pos(ant1) - pos(ant2).
      log::warn(
          "{}: the input uvw are the negatives of the {} uvw from the antenna positions "
          "(the file uses the opposite baseline convention, pos(ant1) - pos(ant2)); its "
          "visibilities are taken as they are and uvw written as pos(ant2) - pos(ant1)",
          gname, h.pointing_dec_is_latitude ? "zenith" : "meridian");
    } else if (worst > 0.01 && h.phase_kind == "drift") {
      log::warn("{}: input uvw differ from the {} uvw at dec {:.4f} deg by up to {:.3f} m", gname,
                h.pointing_dec_is_latitude ? "zenith" : "meridian", *h.pointing_dec / kDeg, worst);
    }
  }
  std::int64_t nchan_file = 0;
  if (!headers.empty())
    nchan_file = headers.front().nfreqs;
  nchan_file = comm.allreduce_max(nchan_file);

  std::unique_ptr<io::Uvh5Writer> writer;
  run_phase(comm, "check free space", [&] {
    if (comm.is_root() && !headers.empty()) {
      // visdata (8 B) + flags (1 B) + nsamples (4 B) per sample, plus the
      // header arrays: refuse the group before a collective write can run out.
      const io::Uvh5Header& h = headers.front();
      const std::int64_t samples = h.nblts * nchan_file * n * h.npols;
      // The MS holds DATA (8 B) and FLAG (1 B) per sample.
      const std::int64_t per_sample = (want_uvh5 ? 13 : 0) + (want_ms ? 9 : 0);
      require_free_space(result.output, samples * per_sample + h.nblts * 64 + (64 << 10));
    }
  });
  MsOutput ms;
  run_phase(comm, "create output", [&] {
    if (want_uvh5) {
      writer = std::make_unique<io::Uvh5Writer>(out->temp_path(), comm, hdr,
                                                static_cast<std::uint64_t>(nchan_file));
    }
    if (want_ms && comm.is_root()) {
      perf::Region r("ms");
      const auto start = std::chrono::steady_clock::now();
      ms.final_path = result.ms_output;
      ms.temp = outdir / fmt::format(".{}.tmp.{}", result.ms_output.filename().string(),
                                     static_cast<long>(::getpid()));
      std::filesystem::remove_all(ms.temp);
      ms.writer =
          std::make_unique<io::MsWriter>(ms.temp, hdr, static_cast<std::uint64_t>(nchan_file));
      ms.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  });
  // One subband per round: read, rotate, write collectively. Memory: one file.
  const std::int64_t rounds = (n + comm.size() - 1) / comm.size();
  io::Uvh5Data data;
  std::vector<double> dw;
  bool collective = true;
  for (std::int64_t round = 0; round < rounds; ++round) {
    const std::int64_t i = mine.begin + round;
    const bool have = i < mine.end;
    const io::Uvh5Header* h = have ? &headers[static_cast<std::size_t>(round)] : nullptr;
    run_phase(comm, "read and phase subband", [&] {
      if (!have)
        return;
      {
        perf::Region r("read");
        io::read_uvh5_data(files[static_cast<std::size_t>(i)].path, *h, data);
        const auto bytes = static_cast<std::int64_t>(data.visdata.size() * 13);
        result.bytes_read += bytes;
      }
      perf::Region r("phase");
      dw.resize(static_cast<std::size_t>(h->nblts));
      for (std::size_t k = 0; k < dw.size(); ++k) {
        dw[k] = geo.uvw_new[3 * k + 2] - geo.uvw_old[3 * k + 2];
      }
      const bool reverse = plan[static_cast<std::size_t>(2 * i + 1)] != 0.0;
      rotate_phase(data.visdata.data(), h->nblts, static_cast<int>(h->nfreqs),
                   static_cast<int>(h->npols), dw.data(), h->freq_array.data(), reverse);
      if (reverse) {
        reverse_channel_order(data.flags.data(), h->nblts, static_cast<int>(h->nfreqs),
                              static_cast<int>(h->npols));
        reverse_channel_order(data.nsamples.data(), h->nblts, static_cast<int>(h->nfreqs),
                              static_cast<int>(h->npols));
      }
    });
    if (want_uvh5) {
      // The write is collective: a rank whose part failed still returns from
      // it, and the error is agreed before the next round's collectives.
      perf::Region r("write");
      std::exception_ptr failed;
      capture_error(failed, [&] {
        if (have) {
          writer->write_channels(static_cast<std::uint64_t>(plan[static_cast<std::size_t>(2 * i)]),
                                 static_cast<std::uint64_t>(h->nfreqs), data.visdata.data(),
                                 data.flags.data(), data.nsamples.data());
        } else {
          writer->write_channels(0, 0, nullptr, nullptr, nullptr);
        }
        fault_point("subband.write");  // as if this rank's part of the write failed
      });
      check_collective(comm, "write subband", failed);
      collective = collective && writer->all_collective();
    }
    if (want_ms) {
      perf::Region r("ms");
      std::exception_ptr failed;
      feed_ms(comm, ms, n, round, plan, have ? h->nfreqs : 0, data, failed);
      check_collective(comm, "write measurement set", failed);
    }
  }
  if (want_uvh5) {
    perf::Region r("close");
    std::exception_ptr failed;
    capture_error(failed, [&] {
      writer->close();
      writer.reset();
    });
    check_collective(comm, "close output", failed);
    out->commit(true);
  }
  if (want_ms) {
    perf::Region r("ms");
    run_phase(comm, "close measurement set", [&] {
      if (!comm.is_root())
        return;
      const auto start = std::chrono::steady_clock::now();
      ms.writer->close();
      ms.writer.reset();
      fault_point("subband.ms");                   // as if the MS writer failed after its last row
      std::filesystem::remove_all(ms.final_path);  // --clobber, or a stale MS without fingerprint
      std::filesystem::rename(ms.temp, ms.final_path);
      ms.committed = true;
      ms.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      result.ms_seconds = ms.seconds;
    });
  }
  if (comm.is_root()) {
    if (opt.format != OutputFormat::kMs)
      record_fingerprint(result.output, fp);
    if (want_ms)
      record_fingerprint(result.ms_output, fp);
  }
  result.collective = collective;
  result.nblts = headers.empty() ? 0 : headers.front().nblts;
  result.npols = headers.empty() ? 0 : headers.front().npols;
  result.nfreqs = nchan_file * n;
  return result;
}

StepResult convert_groups(const Comm& world, const std::vector<SubbandGroup>& groups,
                          const std::filesystem::path& outdir, const ConvertOptions& opt,
                          FailureLog& failures) {
  const int per_group = std::max(1, std::min(opt.ranks_per_group, world.size()));
  Comm sub = world.split_into_groups(per_group);
  const int ncomm = (world.size() + per_group - 1) / per_group;
  const int my_comm = world.rank() / per_group;
  // done, skipped, failed, outputs: counted by each sub-communicator's rank 0.
  std::array<std::int64_t, 4> counts{};
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (static_cast<int>(g % static_cast<std::size_t>(ncomm)) != my_comm)
      continue;
    try {
      const auto r = convert_group(sub, groups[g], outdir, opt);
      if (sub.is_root()) {
        if (r.skipped) {
          log::info("group {}: up to date, skipped", groups[g].stamp);
          ++counts[1];
        } else {
          ++counts[0];
          counts[3] += r.ms_output.empty() || r.ms_output == r.output ? 1 : 2;
          log::info("group {}: {} subbands -> {}{} ({} rows x {} channels x {} pols)",
                    groups[g].stamp, r.nfiles, r.output.filename().string(),
                    r.ms_output.empty() || r.ms_output == r.output
                        ? ""
                        : " and " + r.ms_output.filename().string(),
                    r.nblts, r.nfreqs, r.npols);
        }
      }
    } catch (const Error& e) {
      if (sub.is_root()) {
        failures.record("group " + groups[g].stamp, e.what());
        ++counts[2];
      }
    }
  }
  world.allreduce(counts, ReduceOp::sum);
  StepResult result;
  result.unit = "groups";
  result.done = counts[0];
  result.skipped = counts[1];
  result.failed = counts[2];
  result.outputs = counts[3];
  result.figures["groups"] = static_cast<std::int64_t>(groups.size());
  return result;
}

}  // namespace tessera::subband
