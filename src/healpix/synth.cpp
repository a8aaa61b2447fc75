// Synthetic DESI data for the healpix pipeline (include/tessera/healpix/synth.hpp).
#include "tessera/healpix/synth.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/exchange.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/healpix/bal_finder.hpp"
#include "tessera/healpix/pca_templates.hpp"
#include "tessera/healpix/sky_pixel.hpp"
#include "tessera/io/fits_file.hpp"

namespace tessera::healpix {
namespace {

constexpr std::int64_t kNside = 64;
constexpr double kStep = 0.8;  // Angstrom, DESI coadd grid

struct Arm {
  const char* name;
  double start;
  int size;
};
constexpr Arm kArms[] = {{"B", 3600.0, 2751}, {"R", 5760.0, 2326}, {"Z", 7520.0, 2881}};

// Injected truth of one spectro QSO (all doubles: gathered as records).
struct Truth {
  std::int64_t targetid;
  double pixel, z, snr, is_bal, depth, vmin, vmax;
  double bi_civ, ai_civ, vmin_civ, vmax_civ, bi_siiv, ai_siiv;
};

struct CatalogRow {
  std::int64_t targetid;
  double ra, dec, z, zerr;
  std::int64_t zwarn;
  float flux_r;
};

double continuum(const PcaTemplates& t, const std::vector<double>& a, double rest) {
  const double w = std::clamp(rest, t.wave.front(), t.wave.back());
  const auto it = std::upper_bound(t.wave.begin(), t.wave.end(), w);
  const std::size_t j = std::min<std::size_t>(
      static_cast<std::size_t>(std::max<std::ptrdiff_t>(it - t.wave.begin(), 1)) - 1,
      t.wave.size() - 2);
  const double f = (w - t.wave[j]) / (t.wave[j + 1] - t.wave[j]);
  double s = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    s += a[k] * (t.components[k][j] + f * (t.components[k][j + 1] - t.components[k][j]));
  }
  return s;
}

// Velocities (km/s) of the first and last merged-grid pixel inside
// [-vmax, -vmin] for `line`, within the window [wlo, whi]; width 0 if none.
double trough_width(double z, double line, double vmin, double vmax, double wlo, double whi,
                    double* vfirst = nullptr, double* vlast = nullptr) {
  const double lo = std::max(-vmax, wlo);
  const double hi = std::min(-vmin, whi);
  double first = 1e30, last = -1e30;
  for (int i = 0; i < 7781; ++i) {
    const double rest = (3600.0 + kStep * i) / (1.0 + z);
    const double v = bal::kSpeedOfLight * (rest - line) / line;
    if (v >= lo && v <= hi) {
      first = std::min(first, v);
      last = std::max(last, v);
    }
  }
  if (vfirst)
    *vfirst = first;
  if (vlast)
    *vlast = last;
  return last > first ? last - first : 0.0;
}

// Random position inside `pixel` by rejection around its centre.
void position_in_pixel(const SkyPixelizer& px, std::int64_t pixel, std::mt19937_64& rng, double& ra,
                       double& dec) {
  double ra0 = 0.0, dec0 = 0.0;
  px.centre(pixel, ra0, dec0);
  const double half = 1.2 * std::sqrt(41252.96 / static_cast<double>(px.npix()));
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (;;) {
    dec = std::clamp(dec0 + half * u(rng), -90.0, 90.0);
    ra = ra0 + half * u(rng) / std::max(0.05, std::cos(dec0 * 3.14159265358979 / 180.0));
    ra = std::fmod(ra + 360.0, 360.0);
    if (px.pixel(ra, dec) == pixel)
      return;
  }
}

}  // namespace

SynthScale synth_scale(const std::string& name) {
  if (name == "tiny")
    return {"tiny", 150, 156, 0, 6, 2000, 4, 20, 5};
  if (name == "small")
    return {"small", 150, 165, 0, 10, 20000, 8, 25, 10};
  if (name == "medium")
    return {"medium", 120, 200, -5, 30, 1000000, 24, 100, 40};
  if (name == "large")
    return {"large", 100, 260, -10, 60, 2500000, 48, 120, 60};
  throw UsageError("--scale must be tiny, small, medium or large, not '" + name + "'");
}

SynthSummary run_synth(const Comm& comm, const SynthOptions& o) {
  const SynthScale sc = synth_scale(o.scale);
  const SkyPixelizer px(kNside, PixelScheme::kNested);
  PcaTemplates templates;
  run_phase(comm, "synth: templates", [&] { templates = read_pca_templates(o.templates); });

  // Spectro pixels: those under a 2-degree grid over the footprint, in order.
  std::vector<std::int64_t> spectro;
  {
    std::set<std::int64_t> seen;
    for (double dec = sc.dec_min + 1.0; dec < sc.dec_max - 0.5; dec += 2.0) {
      for (double ra = sc.ra_min + 1.0; ra < sc.ra_max - 0.5; ra += 2.0) {
        const auto p = px.pixel(ra, dec);
        if (seen.insert(p).second)
          spectro.push_back(p);
        if (static_cast<int>(spectro.size()) == sc.spectro_pixels)
          break;
      }
      if (static_cast<int>(spectro.size()) == sc.spectro_pixels)
        break;
    }
  }
  const std::set<std::int64_t> spectro_set(spectro.begin(), spectro.end());

  // Each rank makes the coadds of its block of spectro pixels.
  std::vector<Truth> truth;
  std::vector<CatalogRow> qso_rows;
  run_phase(comm, "synth: coadds", [&] {
    perf::Region r("coadds");
    const BlockRange mine =
        block_range(static_cast<std::int64_t>(spectro.size()), comm.size(), comm.rank());
    for (std::int64_t pi = mine.begin; pi < mine.end; ++pi) {
      const std::int64_t pixel = spectro[static_cast<std::size_t>(pi)];
      std::mt19937_64 rng(o.seed * 1000003ULL + static_cast<std::uint64_t>(pixel));
      std::uniform_real_distribution<double> u(0.0, 1.0);
      std::normal_distribution<double> gauss(0.0, 1.0);
      const int nspec = sc.qso_per_pixel + sc.others_per_pixel;
      // Spectrum order in the coadd: QSOs and others interleaved.
      std::vector<int> is_qso(static_cast<std::size_t>(nspec), 0);
      std::fill_n(is_qso.begin(), sc.qso_per_pixel, 1);
      std::shuffle(is_qso.begin(), is_qso.end(), rng);
      std::vector<std::int64_t> ids;
      std::vector<double> ras, decs;
      std::vector<std::vector<float>> fluxes, ivars;
      std::vector<std::vector<std::int32_t>> masks;
      int qn = 0, on = 0;
      for (int s = 0; s < nspec; ++s) {
        double ra = 0, dec = 0;
        position_in_pixel(px, pixel, rng, ra, dec);
        std::vector<float> flux(7958), ivar(7958);
        std::vector<std::int32_t> mask(7958, 0);
        // Observed flux on the merged grid, then per-arm noise.
        std::vector<double> model(7781, 0.0);
        double sigma = 0.3;
        std::int64_t id = 0;
        if (is_qso[static_cast<std::size_t>(s)]) {
          id = 39600000000000000LL + pixel * 10000 + qn++;
          Truth t{};
          t.targetid = id;
          t.pixel = static_cast<double>(pixel);
          const double pick = u(rng);
          t.z = pick < 0.05 ? 1.3 + 0.2 * u(rng)
                            : (pick < 0.1 ? 5.1 + 0.3 * u(rng) : 1.8 + 2.0 * u(rng));
          t.snr = o.snr_min * std::pow(o.snr_max / o.snr_min, u(rng));
          std::vector<double> a(static_cast<std::size_t>(templates.ncomp()));
          const double amp = (1.0 + 4.0 * u(rng)) / 0.017;
          a[0] = amp;
          for (std::size_t k = 1; k < a.size(); ++k)
            a[k] = amp * 0.05 * gauss(rng);
          t.is_bal = u(rng) < o.bal_fraction ? 1.0 : 0.0;
          t.depth = t.is_bal ? 0.4 + 0.4 * u(rng) : 0.0;
          t.vmin = t.is_bal ? 3500.0 + 4500.0 * u(rng) : 0.0;
          t.vmax = t.is_bal ? t.vmin + 5000.0 + 7000.0 * u(rng) : 0.0;
          double level = 0.0;
          int nlevel = 0;
          for (int i = 0; i < 7781; ++i) {
            const double rest = (3600.0 + kStep * i) / (1.0 + t.z);
            double c = continuum(templates, a, rest);
            if (rest < 1216.0)
              c *= 0.75;  // forest-like suppression
            if (rest >= 1420.0 && rest <= 1540.0) {
              level += c;
              ++nlevel;
            }
            if (t.is_bal) {
              for (double line : {bal::kCIV, bal::kSiIV}) {
                const double v = bal::kSpeedOfLight * (rest - line) / line;
                if (v >= -t.vmax && v <= -t.vmin)
                  c *= 1.0 - (line == bal::kCIV ? t.depth : 0.8 * t.depth);
              }
            }
            model[static_cast<std::size_t>(i)] = c;
          }
          sigma = (nlevel ? level / nlevel : 1.0) / t.snr;
          const double fn_civ = 1.0 - t.depth;
          const double fn_siiv = 1.0 - 0.8 * t.depth;
          t.bi_civ = t.ai_civ = t.bi_siiv = t.ai_siiv = 0.0;
          t.vmin_civ = t.vmax_civ = -1.0;
          const bool has_siiv =
              3600.0 / (1.0 + t.z) <= bal::kSiIV * (1.0 - 25000.0 / bal::kSpeedOfLight);
          if (t.is_bal) {
            double vf = 0, vl = 0;
            const double wbi = trough_width(t.z, bal::kCIV, t.vmin, t.vmax, -25000, -3000);
            const double wai = trough_width(t.z, bal::kCIV, t.vmin, t.vmax, -25000, 0, &vf, &vl);
            t.bi_civ = wbi > 2000 ? (wbi - 2000) * (1 - fn_civ / 0.9) : 0.0;
            t.ai_civ = wai > 450 ? (wai - 450) * (1 - fn_civ / 0.9) : 0.0;
            t.vmin_civ = -vl;
            t.vmax_civ = -vf;
            const double sbi = trough_width(t.z, bal::kSiIV, t.vmin, t.vmax, -25000, -3000);
            const double sai = trough_width(t.z, bal::kSiIV, t.vmin, t.vmax, -25000, 0);
            t.bi_siiv = sbi > 2000 ? (sbi - 2000) * (1 - fn_siiv / 0.9) : 0.0;
            t.ai_siiv = sai > 450 ? (sai - 450) * (1 - fn_siiv / 0.9) : 0.0;
          }
          if (!has_siiv)
            t.bi_siiv = t.ai_siiv = -1.0;
          truth.push_back(t);
          qso_rows.push_back(
              {id, ra, dec, t.z, 0.0005 * (1 + t.z), 0, static_cast<float>(amp * 0.017)});
        } else {
          id = 39700000000000000LL + pixel * 10000 + on++;
          std::fill(model.begin(), model.end(), 1.0 + 2.0 * u(rng));
          sigma = 0.5;
        }
        std::size_t off = 0;
        for (const Arm& arm : kArms) {
          const auto first = static_cast<std::size_t>(std::llround((arm.start - 3600.0) / kStep));
          for (int i = 0; i < arm.size; ++i) {
            const std::size_t k = off + static_cast<std::size_t>(i);
            flux[k] =
                static_cast<float>(model[first + static_cast<std::size_t>(i)] + sigma * gauss(rng));
            ivar[k] = static_cast<float>(1.0 / (sigma * sigma));
            if (u(rng) < 0.002)
              mask[k] = 1;
          }
          off += static_cast<std::size_t>(arm.size);
        }
        ids.push_back(id);
        ras.push_back(ra);
        decs.push_back(dec);
        fluxes.push_back(std::move(flux));
        ivars.push_back(std::move(ivar));
        masks.push_back(std::move(mask));
      }
      const auto path = coadd_path(o.out / "redux", o.sp, pixel);
      AtomicFile file(path, true);
      {
        // Split the concatenated arms back per arm inside write_coadd by offsets.
        const auto nspec64 = static_cast<std::int64_t>(ids.size());
        io::FitsFile f(file.temp_path(), io::FitsFile::Mode::kCreate);
        f.write_key("HPXNSIDE", kNside, "HEALPix NSIDE");
        f.write_key("HPXPIXEL", pixel, "HEALPix pixel");
        f.write_key("HPXNEST", std::int64_t{1}, "nested scheme");
        f.create_table(
            "FIBERMAP",
            {{"TARGETID", "K", ""}, {"TARGET_RA", "D", "deg"}, {"TARGET_DEC", "D", "deg"}},
            nspec64);
        f.write_column("TARGETID", ids);
        f.write_column("TARGET_RA", ras);
        f.write_column("TARGET_DEC", decs);
        f.create_table("EXP_FIBERMAP", {{"TARGETID", "K", ""}, {"EXPID", "J", ""}}, nspec64);
        f.write_column("TARGETID", ids);
        f.write_column("EXPID", std::vector<std::int32_t>(ids.size(), 100001));
        std::size_t off = 0;
        for (const Arm& arm : kArms) {
          const auto nw = static_cast<std::size_t>(arm.size);
          std::vector<double> wave(nw);
          for (std::size_t i = 0; i < nw; ++i)
            wave[i] = arm.start + kStep * static_cast<double>(i);
          f.create_image<double>(fmt::format("{}_WAVELENGTH", arm.name), {arm.size});
          f.write_image(0, wave.data(), arm.size);
          std::vector<float> fb(ids.size() * nw), ib(ids.size() * nw);
          std::vector<std::int32_t> mb(ids.size() * nw);
          for (std::size_t s = 0; s < ids.size(); ++s) {
            std::copy_n(fluxes[s].data() + off, nw, fb.data() + s * nw);
            std::copy_n(ivars[s].data() + off, nw, ib.data() + s * nw);
            std::copy_n(masks[s].data() + off, nw, mb.data() + s * nw);
          }
          f.create_image<float>(fmt::format("{}_FLUX", arm.name), {nspec64, arm.size});
          f.write_image(0, fb.data(), static_cast<std::int64_t>(fb.size()));
          f.create_image<float>(fmt::format("{}_IVAR", arm.name), {nspec64, arm.size});
          f.write_image(0, ib.data(), static_cast<std::int64_t>(ib.size()));
          f.create_image<std::int32_t>(fmt::format("{}_MASK", arm.name), {nspec64, arm.size});
          f.write_image(0, mb.data(), static_cast<std::int64_t>(mb.size()));
          const std::int64_t ndiag = o.write_resolution ? 11 : 1;
          f.create_image<float>(fmt::format("{}_RESOLUTION", arm.name), {nspec64, ndiag, arm.size});
          std::vector<float> res(static_cast<std::size_t>(ndiag) * nw, 0.0f);
          for (std::size_t i = 0; i < nw; ++i)
            res[static_cast<std::size_t>(ndiag / 2) * nw + i] = 1.0f;
          for (std::int64_t s = 0; s < nspec64; ++s) {
            f.write_image(s * ndiag * arm.size, res.data(), static_cast<std::int64_t>(res.size()));
          }
          off += nw;
        }
        f.create_table("SCORES", {{"TARGETID", "K", ""}}, nspec64);
        f.write_column("TARGETID", ids);
        f.close();
      }
      file.commit();
      perf::add_items(1);
    }
  });

  // Gather the QSO rows and truth to rank 0 as records (one contiguous type
  // each: the byte total may pass 2 GiB, the record total is checked).
  auto all_truth_gathered = gather_records(comm, truth, 0, "synth: truth rows");
  auto all_rows_gathered = gather_records(comm, qso_rows, 0, "synth: catalog rows");
  SynthSummary summary;
  summary.coadds = static_cast<std::int64_t>(spectro.size());
  run_phase(comm, "synth: catalog", [&] {
    if (!comm.is_root())
      return;
    perf::Region r("catalog");
    std::vector<Truth> all_truth = std::move(all_truth_gathered);
    std::vector<CatalogRow> rows = std::move(all_rows_gathered);
    summary.qsos = static_cast<std::int64_t>(rows.size());
    // Bulk rows: anywhere in the footprint except the spectro pixels.
    std::mt19937_64 rng(o.seed * 7919ULL + 17);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const double s0 = std::sin(sc.dec_min * 3.14159265358979 / 180.0);
    const double s1 = std::sin(sc.dec_max * 3.14159265358979 / 180.0);
    for (std::int64_t i = 0; i < sc.bulk_rows;) {
      const double ra = sc.ra_min + (sc.ra_max - sc.ra_min) * u(rng);
      const double dec = std::asin(s0 + (s1 - s0) * u(rng)) * 180.0 / 3.14159265358979;
      if (spectro_set.count(px.pixel(ra, dec)))
        continue;
      const double z = 0.3 + 3.7 * u(rng);
      rows.push_back({10000000000000000LL + i, ra, dec, z, 0.0005 * (1 + z), u(rng) < 0.05 ? 4 : 0,
                      static_cast<float>(10.0 * u(rng))});
      ++i;
    }
    std::shuffle(rows.begin(), rows.end(), rng);
    summary.catalog_rows = static_cast<std::int64_t>(rows.size());
    const auto n = summary.catalog_rows;
    {
      AtomicFile file(o.out / "QSO_cat.fits", true);
      io::FitsFile f(file.temp_path(), io::FitsFile::Mode::kCreate);
      f.write_key("ORIGIN", std::string("tessera synth healpix"), "synthetic");
      f.create_table("QSO_CAT",
                     {{"TARGETID", "K", ""},
                      {"TARGET_RA", "D", "deg"},
                      {"TARGET_DEC", "D", "deg"},
                      {"Z", "D", ""},
                      {"ZERR", "D", ""},
                      {"ZWARN", "K", ""},
                      {"SPECTYPE", "6A", ""},
                      {"FLUX_R", "E", "nanomaggy"},
                      {"SURVEY", "7A", ""}},
                     n);
      f.write_key("SEED", static_cast<std::int64_t>(o.seed), "synth seed");
      f.write_key("SCALE", o.scale, "synth scale");
      const std::int64_t chunk = 1 << 20;
      for (std::int64_t b = 0; b < n; b += chunk) {
        const std::int64_t m = std::min(chunk, n - b);
        std::vector<std::int64_t> id(static_cast<std::size_t>(m)), zw(id.size());
        std::vector<double> ra(id.size()), dec(id.size()), z(id.size()), ze(id.size());
        std::vector<float> fr(id.size());
        for (std::size_t i = 0; i < id.size(); ++i) {
          const CatalogRow& c = rows[static_cast<std::size_t>(b) + i];
          id[i] = c.targetid;
          ra[i] = c.ra;
          dec[i] = c.dec;
          z[i] = c.z;
          ze[i] = c.zerr;
          zw[i] = c.zwarn;
          fr[i] = c.flux_r;
        }
        f.write_column("TARGETID", b, id.data(), m);
        f.write_column("TARGET_RA", b, ra.data(), m);
        f.write_column("TARGET_DEC", b, dec.data(), m);
        f.write_column("Z", b, z.data(), m);
        f.write_column("ZERR", b, ze.data(), m);
        f.write_column("ZWARN", b, zw.data(), m);
        f.write_column("FLUX_R", b, fr.data(), m);
        f.write_strings("SPECTYPE", b, std::vector<std::string>(id.size(), "QSO"));
        f.write_strings("SURVEY", b, std::vector<std::string>(id.size(), o.sp.survey));
      }
      f.close();
      file.commit();
    }
    {
      AtomicFile file(o.out / "truth.fits", true);
      io::FitsFile f(file.temp_path(), io::FitsFile::Mode::kCreate);
      const char* names[] = {"TARGETID", "PIXEL",    "Z",       "SNR",    "IS_BAL",
                             "DEPTH",    "VMIN",     "VMAX",    "BI_CIV", "AI_CIV",
                             "VMIN_CIV", "VMAX_CIV", "BI_SIIV", "AI_SIIV"};
      std::vector<io::FitsColumnSpec> specs;
      for (const char* nm : names)
        specs.push_back({nm, std::string(nm) == "TARGETID" ? "K" : "D", ""});
      std::sort(all_truth.begin(), all_truth.end(),
                [](const Truth& a, const Truth& b) { return a.targetid < b.targetid; });
      f.create_table("TRUTH", specs, static_cast<std::int64_t>(all_truth.size()));
      for (std::size_t c = 0; c < std::size(names); ++c) {
        if (c == 0) {
          std::vector<std::int64_t> ids(all_truth.size());
          for (std::size_t i = 0; i < ids.size(); ++i)
            ids[i] = all_truth[i].targetid;
          f.write_column("TARGETID", ids);
          continue;
        }
        std::vector<double> col(all_truth.size());
        for (std::size_t i = 0; i < col.size(); ++i)
          col[i] = (&all_truth[i].pixel)[c - 1];
        f.write_column(names[c], col);
      }
      f.close();
      file.commit();
    }
    log::info("synth healpix ({}): {} catalog rows, {} QSOs with spectra in {} coadds under {}",
              o.scale, summary.catalog_rows, summary.qsos, summary.coadds, o.out.string());
  });
  return summary;
}

}  // namespace tessera::healpix
