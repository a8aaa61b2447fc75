// BAL finder for one QSO (include/tessera/healpix/bal_finder.hpp).
#include "tessera/healpix/bal_finder.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>

#include "tessera/core/error.hpp"

namespace tessera::healpix {
namespace {

using bal::kSpeedOfLight;

double velocity(double rest_wave, double line) {
  return kSpeedOfLight * (rest_wave - line) / line;
}

double median_of(std::vector<double>& values) {
  if (values.empty())
    return -1.0;
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  if (values.size() % 2 == 1)
    return *mid;
  const double upper = *mid;
  const double lower = *std::max_element(values.begin(), mid);
  return 0.5 * (lower + upper);
}

// Linear interpolation of the templates onto `rest` (increasing); pixels
// outside the template grid get 0 and are excluded by the caller.
std::vector<std::vector<double>> interpolate_templates(const PcaTemplates& t,
                                                       std::span<const double> rest) {
  std::vector<std::vector<double>> basis(t.components.size(),
                                         std::vector<double>(rest.size(), 0.0));
  std::size_t j = 0;
  const std::size_t nt = t.wave.size();
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const double w = rest[i];
    if (w < t.wave.front() || w > t.wave.back())
      continue;
    while (j + 2 < nt && t.wave[j + 1] < w)
      ++j;
    const double x0 = t.wave[j];
    const double x1 = t.wave[j + 1];
    const double f = (w - x0) / (x1 - x0);
    for (std::size_t k = 0; k < basis.size(); ++k) {
      basis[k][i] = t.components[k][j] + f * (t.components[k][j + 1] - t.components[k][j]);
    }
  }
  return basis;
}

// Pixels of the fit range with the ion's velocity inside [vlo, vhi].
struct IonWindow {
  std::vector<double> v, fn, sn, dom;
  std::vector<std::size_t> pixel;  // index into the fit-range arrays
};

// Masked pixels (ivar = 0) are left out with kSkip; with kBaltools they stay
// with sigma = +inf, which find_troughs then treats as baltools does its
// nan_to_num(inf) sigma (bal_finder.hpp, MaskedPixels): never absorbed, an AI
// trough holding one fails the depth test, an index over one has an infinite
// error. Pixels with model <= 0 are left out in both modes (no division by 0).
IonWindow ion_window(std::span<const double> rest, std::span<const double> flux,
                     std::span<const double> ivar, std::span<const double> model, double line,
                     double vlo, double vhi, MaskedPixels masked) {
  IonWindow w;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const double v = velocity(rest[i], line);
    const bool has_data = ivar[i] > 0.0;
    if (v < vlo || v > vhi || model[i] <= 0.0 || (!has_data && masked == MaskedPixels::kSkip))
      continue;
    w.v.push_back(v);
    w.fn.push_back(flux[i] / model[i]);
    w.sn.push_back(has_data ? 1.0 / (std::sqrt(ivar[i]) * model[i])
                            : std::numeric_limits<double>::infinity());
    w.pixel.push_back(i);
  }
  return w;
}

TroughSet search(const IonWindow& w, bool ai, bool with_error) {
  const std::span<const double> dom =
      with_error ? std::span<const double>(w.dom) : std::span<const double>();
  if (ai) {
    return find_troughs(w.v, w.fn, w.sn, dom, bal::kVelocityMin, bal::kAiVelocityMax,
                        bal::kAiMinWidth, true, bal::kMaxAiTroughs);
  }
  return find_troughs(w.v, w.fn, w.sn, dom, bal::kVelocityMin, bal::kBiVelocityMax,
                      bal::kBiMinWidth, false, bal::kMaxBiTroughs);
}

}  // namespace

MaskedPixels parse_masked_pixels(const std::string& text, const std::string& option) {
  if (text == "skip")
    return MaskedPixels::kSkip;
  if (text == "baltools")
    return MaskedPixels::kBaltools;
  throw UsageError(option + ": '" + text + "' is not one of skip, baltools");
}

const char* to_string(MaskedPixels mode) {
  return mode == MaskedPixels::kBaltools ? "baltools" : "skip";
}

double median_snr(std::span<const double> rest_wave, std::span<const double> flux,
                  std::span<const double> ivar, double lo, double hi, MaskedPixels masked) {
  std::vector<double> snr;
  for (std::size_t i = 0; i < rest_wave.size(); ++i) {
    if (!(rest_wave[i] >= lo && rest_wave[i] <= hi))
      continue;
    if (ivar[i] > 0.0)
      snr.push_back(flux[i] * std::sqrt(ivar[i]));
    else if (masked == MaskedPixels::kBaltools)
      snr.push_back(0.0);  // flux / nan_to_num(inf) in baltools
  }
  return median_of(snr);
}

std::vector<double> fit_linear(const std::vector<std::vector<double>>& basis,
                               std::span<const double> flux, std::span<const double> ivar,
                               const std::vector<char>& use, double& chi2, std::int64_t& nused) {
  const auto ncomp = static_cast<Eigen::Index>(basis.size());
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(ncomp, ncomp);
  Eigen::VectorXd b = Eigen::VectorXd::Zero(ncomp);
  nused = 0;
  for (std::size_t i = 0; i < flux.size(); ++i) {
    if (!use[i])
      continue;
    ++nused;
    const double w = ivar[i];
    for (Eigen::Index k = 0; k < ncomp; ++k) {
      const double ek = basis[static_cast<std::size_t>(k)][i] * w;
      b(k) += ek * flux[i];
      for (Eigen::Index l = 0; l <= k; ++l)
        a(k, l) += ek * basis[static_cast<std::size_t>(l)][i];
    }
  }
  for (Eigen::Index k = 0; k < ncomp; ++k) {
    for (Eigen::Index l = k + 1; l < ncomp; ++l)
      a(k, l) = a(l, k);
  }
  const Eigen::VectorXd x = a.ldlt().solve(b);
  std::vector<double> coeffs(x.data(), x.data() + ncomp);
  chi2 = 0.0;
  for (std::size_t i = 0; i < flux.size(); ++i) {
    if (!use[i])
      continue;
    double model = 0.0;
    for (std::size_t k = 0; k < basis.size(); ++k)
      model += coeffs[k] * basis[k][i];
    chi2 += ivar[i] * (flux[i] - model) * (flux[i] - model);
  }
  return coeffs;
}

TroughSet find_troughs(std::span<const double> v, std::span<const double> fn,
                       std::span<const double> sn, std::span<const double> diff_over_model,
                       double vlo, double vhi, double min_width, bool ai, int max_troughs) {
  TroughSet out;
  const auto m = static_cast<std::size_t>(max_troughs);
  out.vmin.assign(m, -1.0);
  out.vmax.assign(m, -1.0);
  out.posmin.assign(m, -1.0);
  out.fmin.assign(m, -1.0);
  const std::size_t a =
      static_cast<std::size_t>(std::lower_bound(v.begin(), v.end(), vlo) - v.begin());
  const std::size_t b =
      static_cast<std::size_t>(std::upper_bound(v.begin(), v.end(), vhi) - v.begin());
  // Absorbed: the flux lies below 90% of the continuum by more than half its error.
  std::vector<char> absorbed(v.size(), 0);
  for (std::size_t i = a; i < b; ++i)
    absorbed[i] = (1.0 - fn[i] / 0.9) - 0.5 * sn[i] > 0.0;

  double variance = 0.0;
  std::size_t j = a;
  while (j < b && out.count < max_troughs) {
    if (!absorbed[j]) {
      ++j;
      continue;
    }
    const std::size_t s = j;
    std::size_t e = j;
    for (std::size_t k = j + 1; k < b; ++k) {
      if (absorbed[k]) {
        e = k;
        continue;
      }
      // One non-absorbed pixel is bridged when absorption resumes next
      // (AI also needs the two previous pixels absorbed; no wrap at the start).
      bool bridge = k + 1 < b && absorbed[k + 1];
      if (ai)
        bridge = bridge && k >= a + 2 && absorbed[k - 1] && absorbed[k - 2];
      if (!bridge)
        break;
    }
    j = e + 1;
    if (!(v[e] - v[s] > min_width))
      continue;
    if (ai) {
      double sum_fn = 0.0;
      double sum_sn = 0.0;
      for (std::size_t i = s; i <= e; ++i) {
        sum_fn += fn[i];
        sum_sn += sn[i];
      }
      const double n = static_cast<double>(e - s + 1);
      if (!(1.0 - (sum_fn / n + 3.0 * (sum_sn / n) / std::sqrt(n)) / 0.9 > 0.0))
        continue;
    }
    // Integrate (1 - fn/0.9) dv from v_start + min_width to v_end; each
    // pixel's value holds over the interval ending at it.
    const double v_from = v[s] + min_width;
    std::size_t imin = s;
    for (std::size_t i = s; i <= e; ++i) {
      if (fn[i] < fn[imin])
        imin = i;
      if (i == s)
        continue;
      const double over = v[i] - v_from;
      if (over <= 0.0)
        continue;
      const double dv = std::min(v[i] - v[i - 1], over);
      out.index += (1.0 - fn[i] / 0.9) * dv;
      const double dm = diff_over_model.empty() ? 0.0 : diff_over_model[i];
      variance += (sn[i] * sn[i] + dm * dm) / 0.81 * dv;
    }
    const auto t = static_cast<std::size_t>(out.count);
    out.vmax[t] = -v[s];
    out.vmin[t] = -v[e];
    out.fmin[t] = fn[imin];
    out.posmin[t] = -v[imin];
    ++out.count;
  }
  out.error = std::sqrt(variance);
  if (out.index <= 0.0) {
    out.index = 0.0;
    out.count = 0;
    std::fill(out.vmin.begin(), out.vmin.end(), -1.0);
    std::fill(out.vmax.begin(), out.vmax.end(), -1.0);
    std::fill(out.posmin.begin(), out.posmin.end(), -1.0);
    std::fill(out.fmin.begin(), out.fmin.end(), -1.0);
  }
  return out;
}

BalResult find_bal(const Spectrum& observed, double z, const PcaTemplates& templates,
                   MaskedPixels masked) {
  const std::size_t n = observed.wave.size();
  std::vector<double> rest(n);
  for (std::size_t i = 0; i < n; ++i)
    rest[i] = observed.wave[i] / (1.0 + z);
  if (n < 2 || rest.front() > bal::kCIV || rest.back() < bal::kCIV) {
    throw FormatError("CIV 1549 A (rest) lies outside the spectrum at Z = " + std::to_string(z));
  }
  BalResult r;
  const std::span<const double> flux(observed.flux);
  const std::span<const double> ivar(observed.ivar);
  // SNR_FOREST needs >= 50 A of 1040-1205 covered; SNR_REDSIDE all of 1420-1480.
  const double forest_cover = std::min(1205.0, rest.back()) - std::max(1040.0, rest.front());
  if (forest_cover >= 50.0)
    r.snr_forest = median_snr(rest, flux, ivar, 1040.0, 1205.0, masked);
  if (rest.front() <= 1420.0 && rest.back() >= 1480.0) {
    r.snr_redside = median_snr(rest, flux, ivar, 1420.0, 1480.0, masked);
  }
  const double civ_lo = bal::kCIV * (1.0 + bal::kVelocityMin / kSpeedOfLight);
  r.snr_civ = median_snr(rest, flux, ivar, civ_lo, bal::kCIV, masked);

  // Fit range: 1261-2399 A rest inside the template grid.
  const double lo = std::max(bal::kFitMin, templates.wave.front());
  const double hi = std::min(bal::kFitMax, templates.wave.back());
  const auto first =
      static_cast<std::size_t>(std::lower_bound(rest.begin(), rest.end(), lo) - rest.begin());
  const auto last =
      static_cast<std::size_t>(std::upper_bound(rest.begin(), rest.end(), hi) - rest.begin());
  const std::span<const double> fr(rest.data() + first, last - first);
  const std::span<const double> ff(flux.data() + first, last - first);
  const std::span<const double> fi(ivar.data() + first, last - first);
  const auto basis = interpolate_templates(templates, fr);
  const std::size_t m = fr.size();

  std::vector<char> base_use(m);
  for (std::size_t i = 0; i < m; ++i)
    base_use[i] = fi[i] > 0.0;
  std::vector<char> use = base_use;
  std::vector<double> model(m, 0.0);
  std::int64_t nused = 0;
  double chi2 = 0.0;
  const bool has_siiv = rest.front() <= bal::kSiIV * (1.0 + bal::kVelocityMin / kSpeedOfLight);

  auto fit = [&]() {
    r.pca_coeffs = fit_linear(basis, ff, fi, use, chi2, nused);
    if (nused <= templates.ncomp()) {
      throw FormatError("only " + std::to_string(nused) + " unmasked pixels in the PCA fit range");
    }
    for (std::size_t i = 0; i < m; ++i) {
      double s = 0.0;
      for (std::size_t k = 0; k < basis.size(); ++k)
        s += r.pca_coeffs[k] * basis[k][i];
      model[i] = s;
    }
  };

  // Fit, mask the AI troughs with VMIN > 0, refit until the mask settles.
  fit();
  r.fit_iterations = 1;
  for (int it = 1; it < bal::kMaxFitIterations; ++it) {
    std::vector<char> next = base_use;
    for (double line : {bal::kCIV, bal::kSiIV}) {
      if (line == bal::kSiIV && !has_siiv)
        continue;
      const IonWindow w = ion_window(fr, ff, fi, model, line, bal::kVelocityMin, 0.0, masked);
      const TroughSet t = search(w, true, false);
      for (int k = 0; k < t.count; ++k) {
        if (!(t.vmin[static_cast<std::size_t>(k)] > 0.0))
          continue;
        for (std::size_t p = 0; p < m; ++p) {
          const double v = -velocity(fr[p], line);
          if (v >= t.vmin[static_cast<std::size_t>(k)] && v <= t.vmax[static_cast<std::size_t>(k)])
            next[p] = 0;
        }
      }
    }
    const auto count = [](const std::vector<char>& u) { return std::count(u.begin(), u.end(), 1); };
    if (count(next) == count(use))
      break;
    use = std::move(next);
    fit();
    r.fit_iterations = it + 1;
  }
  r.pca_chi2 = chi2 / static_cast<double>(nused - templates.ncomp());

  // Final search; errors use diff = mean |model - f| outside the AI troughs.
  for (double line : {bal::kCIV, bal::kSiIV}) {
    TroughSet& bi = line == bal::kCIV ? r.bi_civ : r.bi_siiv;
    TroughSet& ai = line == bal::kCIV ? r.ai_civ : r.ai_siiv;
    if (line == bal::kSiIV && !has_siiv) {
      bi = find_troughs({}, {}, {}, {}, 0, 0, bal::kBiMinWidth, false, bal::kMaxBiTroughs);
      ai = find_troughs({}, {}, {}, {}, 0, 0, bal::kAiMinWidth, true, bal::kMaxAiTroughs);
      continue;
    }
    IonWindow w = ion_window(fr, ff, fi, model, line, bal::kVelocityMin, 0.0, masked);
    const TroughSet first_ai = search(w, true, false);
    double diff_sum = 0.0;
    std::size_t diff_n = 0;
    for (std::size_t i = 0; i < w.v.size(); ++i) {
      bool inside = false;
      for (int k = 0; k < first_ai.count; ++k) {
        const auto t = static_cast<std::size_t>(k);
        inside = inside || (-w.v[i] >= first_ai.vmin[t] && -w.v[i] <= first_ai.vmax[t]);
      }
      if (inside)
        continue;
      diff_sum += std::abs(model[w.pixel[i]] - ff[w.pixel[i]]);
      ++diff_n;
    }
    const double diff = diff_n ? diff_sum / static_cast<double>(diff_n) : 0.0;
    w.dom.resize(w.v.size());
    for (std::size_t i = 0; i < w.v.size(); ++i)
      w.dom[i] = diff / model[w.pixel[i]];
    ai = search(w, true, true);
    bi = search(w, false, true);
  }
  return r;
}

}  // namespace tessera::healpix
