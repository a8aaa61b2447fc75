// --masked-pixels skip|baltools (bal_finder.hpp, MaskedPixels): a pixel with
// ivar = 0 inside an AI trough. skip leaves it out, so the trough is found;
// baltools gives it infinite sigma as DESI baltools does (fitbal.py: sigma =
// nan_to_num(1/sqrt(ivar))), so the pixel is not absorbed, is bridged, and the
// trough fails the AI depth test 1 - (mean f + 3 mean sigma / sqrt n)/0.9 > 0.
// Spectra without masked pixels give identical results in both modes.
#include <algorithm>
#include <cmath>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/healpix/bal_finder.hpp"
#include "tessera/healpix/pca_templates.hpp"

using namespace tessera::healpix;

namespace {

PcaTemplates templates() {
  return read_pca_templates(std::string(TESSERA_SOURCE_DIR) + "/data/baltools/" +
                            "PCA_Eigenvectors.fits");
}

double civ_velocity(double observed_wave, double z) {
  return bal::kSpeedOfLight * (observed_wave / (1 + z) - bal::kCIV) / bal::kCIV;
}

// Noise-free template continuum (merged 0.8 A grid) at redshift z, flux
// multiplied by (1 - depth) where the CIV velocity is inside [-vmax, -vmin];
// sigma 0.01 of the flux unit everywhere.
Spectrum spectrum(const PcaTemplates& t, double z, double vmin, double vmax, double depth) {
  const std::vector<double> a = {100.0, 5.0, -3.0, 2.0, 1.0};
  Spectrum s;
  for (int i = 0; i < 7781; ++i) {
    const double w = 3600.0 + 0.8 * i;
    const double rw = std::clamp(w / (1 + z), t.wave.front(), t.wave.back());
    std::size_t j = 0;
    while (j + 2 < t.wave.size() && t.wave[j + 1] < rw)
      ++j;
    const double f = (rw - t.wave[j]) / (t.wave[j + 1] - t.wave[j]);
    double c = 0;
    for (std::size_t k = 0; k < a.size(); ++k)
      c += a[k] * (t.components[k][j] + f * (t.components[k][j + 1] - t.components[k][j]));
    const double v = civ_velocity(w, z);
    if (v >= -vmax && v <= -vmin)
      c *= 1 - depth;
    s.wave.push_back(w);
    s.flux.push_back(c);
    s.ivar.push_back(1e4);
  }
  return s;
}

// Masks (ivar = 0, flux = 0: what the camera merge leaves) the pixel nearest
// CIV velocity -v, as a masked CCD column would.
void mask_at(Spectrum& s, double z, double v) {
  std::size_t best = 0;
  for (std::size_t i = 0; i < s.wave.size(); ++i) {
    if (std::abs(civ_velocity(s.wave[i], z) + v) < std::abs(civ_velocity(s.wave[best], z) + v))
      best = i;
  }
  s.ivar[best] = 0.0;
  s.flux[best] = 0.0;
}

// True when one of the troughs covers velocity -v (VMIN <= v <= VMAX).
bool spans(const TroughSet& t, double v) {
  for (int k = 0; k < t.count; ++k) {
    const auto i = static_cast<std::size_t>(k);
    if (t.vmin[i] <= v && v <= t.vmax[i])
      return true;
  }
  return false;
}

void same(const TroughSet& a, const TroughSet& b) {
  CHECK(a.index == b.index);
  CHECK(a.error == b.error);
  CHECK(a.count == b.count);
  CHECK(a.vmin == b.vmin);
  CHECK(a.vmax == b.vmax);
  CHECK(a.posmin == b.posmin);
  CHECK(a.fmin == b.fmin);
}

}  // namespace

TEST_CASE("A masked pixel inside a narrow AI trough: skip finds it, baltools rejects it",
          "[healpix][bal][masked]") {
  const PcaTemplates t = templates();
  const double z = 2.3;
  // An AI-only trough (1500 km/s wide: no BI) at 4000-5500 km/s, 50% deep.
  Spectrum s = spectrum(t, z, 4000, 5500, 0.5);
  const BalResult clean_skip = find_bal(s, z, t, MaskedPixels::kSkip);
  REQUIRE(clean_skip.ai_civ.count == 1);
  REQUIRE(clean_skip.bi_civ.count == 0);
  mask_at(s, z, 4700);
  const BalResult skip = find_bal(s, z, t, MaskedPixels::kSkip);
  const BalResult baltools = find_bal(s, z, t, MaskedPixels::kBaltools);
  // skip: the trough is found across the gap, with the clean trough's edges.
  CHECK(skip.ai_civ.count == 1);
  CHECK(skip.ai_civ.index > 0.0);
  CHECK(skip.ai_civ.index == Approx(clean_skip.ai_civ.index).epsilon(0.02));
  CHECK(skip.ai_civ.vmin[0] == clean_skip.ai_civ.vmin[0]);
  CHECK(skip.ai_civ.vmax[0] == clean_skip.ai_civ.vmax[0]);
  // baltools: the bridged pixel's infinite sigma fails the depth test.
  CHECK_FALSE(spans(baltools.ai_civ, 4700));
  CHECK(baltools.ai_civ.count == 0);
  CHECK(baltools.ai_civ.index == 0.0);
  CHECK(baltools.ai_civ.vmin[0] == -1.0);
  // The rejected trough is not masked in baltools' refits, so the continuum
  // differs there; the trough search alone is what this test is about.
  // SNR_CIV: baltools counts the masked pixel as 0, so the median moves down
  // or stays; skip leaves it out.
  CHECK(baltools.snr_civ <= skip.snr_civ);
}

TEST_CASE(
    "A masked pixel inside a BI trough: baltools keeps the BI trough, with the pixel's "
    "flux and an infinite error, and drops the AI trough",
    "[healpix][bal][masked]") {
  const PcaTemplates t = templates();
  const double z = 2.3;
  Spectrum s = spectrum(t, z, 5000, 14000, 0.6);
  mask_at(s, z, 9000);
  const BalResult skip = find_bal(s, z, t, MaskedPixels::kSkip);
  const BalResult baltools = find_bal(s, z, t, MaskedPixels::kBaltools);
  // skip: one BI and one AI trough across the masked pixel, finite errors.
  CHECK(skip.bi_civ.count == 1);
  CHECK(spans(skip.bi_civ, 9000));
  CHECK(spans(skip.ai_civ, 9000));
  CHECK(std::isfinite(skip.bi_civ.error));
  CHECK(skip.bi_civ.fmin[0] > 0.3);
  // baltools: BI has no depth test, so a BI trough still spans the pixel; its
  // flux (0) is that trough's minimum and its sigma makes the error infinite.
  // No AI trough spans it (depth test). The AI trough is then not masked in
  // the refits, so the continuum (and the rest of the numbers) differ.
  REQUIRE(spans(baltools.bi_civ, 9000));
  CHECK(std::isinf(baltools.bi_civ.error));
  CHECK(std::count(baltools.bi_civ.fmin.begin(), baltools.bi_civ.fmin.end(), 0.0) == 1);
  CHECK_FALSE(spans(baltools.ai_civ, 9000));
}

TEST_CASE(
    "Without masked pixels, or with one outside the BAL windows and SNR ranges, both "
    "modes agree",
    "[healpix][bal][masked]") {
  const PcaTemplates t = templates();
  const double z = 2.3;
  Spectrum s = spectrum(t, z, 4000, 5500, 0.5);
  if (GENERATE(false, true))
    mask_at(s, z, -29000);  // 1700 A rest: red of CIV, inside the fit range only
  const BalResult a = find_bal(s, z, t, MaskedPixels::kSkip);
  const BalResult b = find_bal(s, z, t, MaskedPixels::kBaltools);
  same(a.ai_civ, b.ai_civ);
  same(a.bi_civ, b.bi_civ);
  same(a.ai_siiv, b.ai_siiv);
  same(a.bi_siiv, b.bi_siiv);
  CHECK(a.pca_coeffs == b.pca_coeffs);
  CHECK(a.snr_civ == b.snr_civ);
  CHECK(a.snr_redside == b.snr_redside);
  CHECK(a.snr_forest == b.snr_forest);
}

TEST_CASE("--masked-pixels values", "[healpix][bal][masked]") {
  CHECK(parse_masked_pixels("skip", "--masked-pixels") == MaskedPixels::kSkip);
  CHECK(parse_masked_pixels("baltools", "--masked-pixels") == MaskedPixels::kBaltools);
  CHECK(std::string(to_string(MaskedPixels::kBaltools)) == "baltools");
  try {
    parse_masked_pixels("zero", "--masked-pixels");
    FAIL("no error");
  } catch (const tessera::UsageError& e) {
    CHECK(std::string(e.what()).find("--masked-pixels") != std::string::npos);
    CHECK(std::string(e.what()).find("zero") != std::string::npos);
  }
}
