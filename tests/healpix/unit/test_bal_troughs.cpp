// Trough search and BI/AI against hand-computed values (Weymann et al. 1991
// eq. 1 for BI; Hall et al. 2002 for AI), and the PCA fit against a
// brute-force normal-equations solution.
#include <cmath>
#include <random>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/healpix/bal_finder.hpp"
#include "tessera/healpix/pca_templates.hpp"

using namespace tessera::healpix;

namespace {

struct Grid {
  std::vector<double> v, fn, sn;
};

// Velocities from -30000 to 2000 km/s every `dv`, flux 1, error `err`.
Grid flat_grid(double dv, double err) {
  Grid g;
  for (double v = -30000.0; v <= 2000.0; v += dv) {
    g.v.push_back(v);
    g.fn.push_back(1.0);
    g.sn.push_back(err);
  }
  return g;
}

void set_trough(Grid& g, double vlo, double vhi, double fmin) {
  for (std::size_t i = 0; i < g.v.size(); ++i) {
    if (g.v[i] >= vlo && g.v[i] <= vhi)
      g.fn[i] = fmin;
  }
}

// First and last grid velocities inside [vlo, vhi].
std::pair<double, double> edges(const Grid& g, double vlo, double vhi) {
  double first = 1e30, last = -1e30;
  for (double v : g.v) {
    if (v >= vlo && v <= vhi) {
      first = std::min(first, v);
      last = std::max(last, v);
    }
  }
  return {first, last};
}

TroughSet bi(const Grid& g) {
  return find_troughs(g.v, g.fn, g.sn, {}, -25000, -3000, 2000, false, 5);
}
TroughSet ai(const Grid& g) {
  return find_troughs(g.v, g.fn, g.sn, {}, -25000, 0, 450, true, 17);
}

}  // namespace

TEST_CASE("A flat trough of width W and depth fmin gives BI = (W - 2000)(1 - fmin/0.9)",
          "[healpix][bal]") {
  for (double dv : {69.0, 51.3, 120.0}) {
    for (double fmin : {0.1, 0.45, 0.7}) {
      Grid g = flat_grid(dv, 0.02);
      set_trough(g, -16000, -7000, fmin);
      const auto [first, last] = edges(g, -16000, -7000);
      const double w = last - first;
      const TroughSet b = bi(g);
      INFO("dv " << dv << " fmin " << fmin << " W " << w);
      REQUIRE(b.count == 1);
      CHECK(b.index == Approx((w - 2000.0) * (1.0 - fmin / 0.9)).epsilon(1e-12));
      CHECK(b.vmax[0] == Approx(-first));
      CHECK(b.vmin[0] == Approx(-last));
      CHECK(b.fmin[0] == Approx(fmin));
      CHECK(b.vmin[1] == -1.0);
      const TroughSet a = ai(g);
      REQUIRE(a.count == 1);
      CHECK(a.index == Approx((w - 450.0) * (1.0 - fmin / 0.9)).epsilon(1e-12));
    }
  }
}

TEST_CASE("A trough narrower than 2000 km/s has no BI but counts for AI", "[healpix][bal]") {
  Grid g = flat_grid(60.0, 0.02);
  set_trough(g, -10000, -8500, 0.3);
  const TroughSet b = bi(g);
  CHECK(b.index == 0.0);
  CHECK(b.count == 0);
  for (double x : b.vmin)
    CHECK(x == -1.0);
  const TroughSet a = ai(g);
  CHECK(a.count == 1);
  const auto [first, last] = edges(g, -10000, -8500);
  CHECK(a.index == Approx((last - first - 450.0) * (1.0 - 0.3 / 0.9)));
}

TEST_CASE("BI is clipped at the -3000 km/s window edge and a trough-free spectrum gives 0",
          "[healpix][bal]") {
  Grid g = flat_grid(50.0, 0.02);
  CHECK(bi(g).index == 0.0);
  CHECK(ai(g).index == 0.0);
  set_trough(g, -9000, -1000, 0.5);
  const auto [first, last] = edges(g, -9000, -3000);
  CHECK(bi(g).index == Approx((last - first - 2000.0) * (1.0 - 0.5 / 0.9)));
  CHECK(bi(g).vmin[0] == Approx(-last));
}

TEST_CASE("One non-absorbed pixel is bridged; two are not", "[healpix][bal]") {
  Grid g = flat_grid(50.0, 0.02);
  set_trough(g, -15000, -6000, 0.4);
  std::size_t mid = 0;
  while (g.v[mid] < -10000)
    ++mid;
  g.fn[mid] = 1.0;
  CHECK(bi(g).count == 1);
  CHECK(ai(g).count == 1);
  g.fn[mid + 1] = 1.0;
  CHECK(bi(g).count == 2);
  CHECK(ai(g).count == 2);
}

TEST_CASE("The AI bridge needs the two previous pixels absorbed and never wraps",
          "[healpix][bal]") {
  Grid g = flat_grid(100.0, 0.02);
  // absorbed, gap, absorbed...: with only one absorbed pixel before the gap
  // AI must not bridge (BI does).
  std::size_t i0 = 0;
  while (g.v[i0] < -12000)
    ++i0;
  for (std::size_t i = i0; i < i0 + 60; ++i)
    g.fn[i] = 0.3;
  g.fn[i0 + 1] = 1.0;  // gap right after the first absorbed pixel
  const TroughSet a = ai(g);
  REQUIRE(a.count == 1);
  CHECK(a.vmax[0] == Approx(-g.v[i0 + 2]));
  const TroughSet b = bi(g);
  CHECK(b.vmax[0] == Approx(-g.v[i0]));
  // At the very start of the window: the previous pixels are outside it.
  Grid h = flat_grid(100.0, 0.02);
  std::size_t s = 0;
  while (h.v[s] < -25000)
    ++s;
  for (std::size_t i = s; i < s + 40; ++i)
    h.fn[i] = 0.3;
  h.fn[s + 1] = 1.0;
  CHECK(ai(h).vmax[0] == Approx(-h.v[s + 2]));
}

TEST_CASE("AI troughs must pass the depth test 1 - (mean f + 3 mean sigma / sqrt n)/0.9 > 0",
          "[healpix][bal]") {
  Grid g = flat_grid(60.0, 0.2);
  // Absorbed pixel by pixel ((1 - f/0.9) - 0.5 sigma > 0 needs f < 0.81) but
  // too noisy on average: mean f 0.78, 3 * 0.2 / sqrt(10) = 0.19 -> fails.
  std::size_t i0 = 0;
  while (g.v[i0] < -9000)
    ++i0;
  for (std::size_t i = i0; i < i0 + 10; ++i)
    g.fn[i] = 0.78;
  CHECK(ai(g).count == 0);
  for (std::size_t i = i0; i < i0 + 10; ++i)
    g.sn[i] = 0.02;
  CHECK(ai(g).count == 1);
}

TEST_CASE("The PCA fit equals a brute-force normal-equations solution", "[healpix][bal]") {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::uniform_real_distribution<double> uni(0.5, 4.0);
  for (int ncomp : {1, 3, 5}) {
    const std::size_t n = 400;
    std::vector<std::vector<double>> basis(static_cast<std::size_t>(ncomp), std::vector<double>(n));
    std::vector<double> flux(n), ivar(n);
    std::vector<char> use(n, 1);
    for (auto& b : basis)
      for (auto& x : b)
        x = gauss(rng);
    for (std::size_t i = 0; i < n; ++i) {
      flux[i] = gauss(rng) * 3.0;
      ivar[i] = uni(rng);
      if (i % 7 == 0)
        use[i] = 0;
    }
    double chi2 = 0;
    std::int64_t nused = 0;
    const auto a = fit_linear(basis, flux, ivar, use, chi2, nused);
    // Brute force: build A and b by definition and solve by Gauss-Jordan
    // elimination with partial pivoting.
    const auto m = static_cast<std::size_t>(ncomp);
    std::vector<std::vector<double>> aug(m, std::vector<double>(m + 1, 0.0));
    for (std::size_t k = 0; k < m; ++k) {
      for (std::size_t l = 0; l < m; ++l)
        for (std::size_t i = 0; i < n; ++i)
          if (use[i])
            aug[k][l] += ivar[i] * basis[k][i] * basis[l][i];
      for (std::size_t i = 0; i < n; ++i)
        if (use[i])
          aug[k][m] += ivar[i] * basis[k][i] * flux[i];
    }
    for (std::size_t c = 0; c < m; ++c) {
      std::size_t piv = c;
      for (std::size_t r = c + 1; r < m; ++r)
        if (std::abs(aug[r][c]) > std::abs(aug[piv][c]))
          piv = r;
      std::swap(aug[c], aug[piv]);
      for (std::size_t r = 0; r < m; ++r) {
        if (r == c)
          continue;
        const double f = aug[r][c] / aug[c][c];
        for (std::size_t k = c; k <= m; ++k)
          aug[r][k] -= f * aug[c][k];
      }
    }
    double chi2_ref = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!use[i])
        continue;
      double model = 0;
      for (std::size_t k = 0; k < m; ++k)
        model += aug[k][m] / aug[k][k] * basis[k][i];
      chi2_ref += ivar[i] * (flux[i] - model) * (flux[i] - model);
    }
    CHECK(nused == static_cast<std::int64_t>(n - (n + 6) / 7));
    for (std::size_t k = 0; k < m; ++k)
      CHECK(a[k] == Approx(aug[k][m] / aug[k][k]).epsilon(1e-9));
    CHECK(chi2 == Approx(chi2_ref).epsilon(1e-9));
  }
}

namespace {

// A merged-grid spectrum of the template continuum at redshift z with a flat
// CIV trough (velocities vmin..vmax, depth) and Gaussian noise of `snr`.
Spectrum template_spectrum(const PcaTemplates& t, const std::vector<double>& a, double z,
                           double vmin, double vmax, double depth, double snr, std::uint64_t seed) {
  Spectrum s;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  for (int i = 0; i < 7781; ++i) {
    const double w = 3600.0 + 0.8 * i;
    const double rest = w / (1 + z);
    double c = 0;
    const double rw = std::clamp(rest, t.wave.front(), t.wave.back());
    std::size_t j = 0;
    while (j + 2 < t.wave.size() && t.wave[j + 1] < rw)
      ++j;
    const double f = (rw - t.wave[j]) / (t.wave[j + 1] - t.wave[j]);
    for (std::size_t k = 0; k < a.size(); ++k)
      c += a[k] * (t.components[k][j] + f * (t.components[k][j + 1] - t.components[k][j]));
    const double v = bal::kSpeedOfLight * (rest - bal::kCIV) / bal::kCIV;
    if (v >= -vmax && v <= -vmin)
      c *= 1 - depth;
    const double sigma = snr > 0 ? 1.0 / snr : 1e-6;
    s.wave.push_back(w);
    s.flux.push_back(c + sigma * gauss(rng));
    s.ivar.push_back(1.0 / (sigma * sigma));
  }
  return s;
}

PcaTemplates real_templates(const char* name) {
  return read_pca_templates(std::string(TESSERA_SOURCE_DIR) + "/data/baltools/" + name);
}

}  // namespace

TEST_CASE("The real DESI templates load with 5 and 4 components", "[healpix][bal]") {
  const PcaTemplates t5 = real_templates("PCA_Eigenvectors.fits");
  const PcaTemplates t4 = real_templates("PCA_Eigenvectors_Brodzeller.fits");
  CHECK(t5.ncomp() == 5);
  CHECK(t4.ncomp() == 4);
  CHECK(t5.wave.size() == 2798);
  CHECK(t5.wave.front() == Approx(1260.058).margin(1e-3));
}

TEST_CASE("find_bal recovers template coefficients and an injected trough's BI", "[healpix][bal]") {
  const PcaTemplates t = real_templates("PCA_Eigenvectors.fits");
  const std::vector<double> a = {100.0, 5.0, -3.0, 2.0, 1.0};
  // Noise-free: exact coefficients, BI equal to the flat-trough formula.
  const double z = 2.3;
  const Spectrum s = template_spectrum(t, a, z, 5000, 14000, 0.6, 0.0, 1);
  const BalResult r = find_bal(s, z, t);
  for (std::size_t k = 0; k < a.size(); ++k)
    CHECK(r.pca_coeffs[k] == Approx(a[k]).margin(1e-4));
  double first = 1e30, last = -1e30;
  for (double w : s.wave) {
    const double v = bal::kSpeedOfLight * (w / (1 + z) - bal::kCIV) / bal::kCIV;
    if (v >= -14000 && v <= -5000) {
      first = std::min(first, v);
      last = std::max(last, v);
    }
  }
  CHECK(r.bi_civ.index == Approx((last - first - 2000) * (1 - 0.4 / 0.9)).epsilon(1e-6));
  CHECK(r.bi_civ.vmin[0] == Approx(-last));
  CHECK(r.ai_civ.count == 1);
  CHECK(r.bi_siiv.index == 0.0);
  CHECK(r.snr_redside > 0);
  // Noisy (SNR 15 per pixel): within 5%.
  const Spectrum n = template_spectrum(t, a, z, 5000, 14000, 0.6, 15.0 / 1.7, 2);
  const BalResult rn = find_bal(n, z, t);
  CHECK(rn.bi_civ.index == Approx((last - first - 2000) * (1 - 0.4 / 0.9)).epsilon(0.05));
  CHECK(rn.pca_chi2 == Approx(1.0).epsilon(0.2));
}

TEST_CASE("A QSO whose CIV line lies outside the spectrum fails with a clear error",
          "[healpix][bal]") {
  const PcaTemplates t = real_templates("PCA_Eigenvectors.fits");
  const Spectrum s = template_spectrum(t, {100, 0, 0, 0, 0}, 2.0, 0, 0, 0, 0, 3);
  try {
    find_bal(s, 6.0, t);
    FAIL("no error");
  } catch (const tessera::FormatError& e) {
    CHECK(std::string(e.what()).find("1549") != std::string::npos);
  }
}
