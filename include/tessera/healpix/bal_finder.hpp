// The BAL finder of DESI baltools for one quasar: PCA continuum fit and
// trough search for CIV and SiIV (Weymann et al. 1991 balnicity index BI;
// Hall et al. 2002 absorption index AI; Guo & Martini 2019 for the DESI PCA
// approach; Filbert et al. 2024 for the DESI catalog).
//
// Pure code: no MPI, no files. Inputs are the merged (camera-combined)
// spectrum of one QSO in the observed frame, its redshift and the PCA
// templates; the output is one baltable row. Thread-safe: OpenMP threads run
// one QSO each.
//
// Deliberate differences from the Python original (docs/pipelines/healpix.md):
//   - the continuum is the exact weighted least-squares solution of the same
//     chi2 the original minimises with Nelder-Mead (agrees to ~1e-5);
//   - pixels with ivar = 0 carry no weight in the fit and take no part in the
//     trough search (the original propagates sigma = inf / nan); with
//     MaskedPixels::kBaltools they take part as the original has them (below);
//   - the index integrates piecewise-constant (1 - f/0.9) exactly from
//     v_start + minimum width (partial pixel), so a flat trough of width W and
//     depth fmin gives BI = (W - 2000)(1 - fmin/0.9) to rounding;
//   - the AI bridge test never wraps around at the window start, and no
//     model divides by zero.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tessera::healpix {

/// Constants of the BAL finder (baltools `baltools/utils.py` and the spec).
namespace bal {
inline constexpr double kSpeedOfLight = 299792.458;  // km/s
inline constexpr double kCIV = 1549.0;               // Angstrom, rest
inline constexpr double kSiIV = 1398.0;
inline constexpr double kVelocityMin = -25000.0;  // km/s, blue edge of both windows
inline constexpr double kBiVelocityMax = -3000.0;
inline constexpr double kAiVelocityMax = 0.0;
inline constexpr double kBiMinWidth = 2000.0;
inline constexpr double kAiMinWidth = 450.0;
inline constexpr double kFitMin = 1261.0;  // Angstrom, rest: PCA fit range
inline constexpr double kFitMax = 2399.0;
inline constexpr double kZMin = 1.57;
inline constexpr double kZMax = 5.0;
inline constexpr int kMaxBiTroughs = 5;
inline constexpr int kMaxAiTroughs = 17;
inline constexpr int kMaxFitIterations = 10;
}  // namespace bal

/// PCA eigenspectra on a rest-frame wavelength grid (increasing).
struct PcaTemplates {
  std::vector<double> wave;
  std::vector<std::vector<double>> components;  ///< [ncomp][nwave]
  std::string source;                           ///< file it came from
  int ncomp() const { return static_cast<int>(components.size()); }
};

/// Troughs of one index (BI or AI) of one ion.
struct TroughSet {
  double index = 0.0;  ///< BI or AI, km/s
  double error = 0.0;
  int count = 0;
  std::vector<double> vmin, vmax, posmin, fmin;  ///< length = max troughs, -1 padded
};

/// One baltable row (without TARGETID and catalog columns).
struct BalResult {
  std::vector<double> pca_coeffs;
  double pca_chi2 = 0.0;
  TroughSet bi_civ, ai_civ, bi_siiv, ai_siiv;
  double snr_civ = -1.0, snr_redside = -1.0, snr_forest = -1.0;
  int fit_iterations = 0;
};

/// How pixels with ivar = 0 enter the trough search and the SNR medians.
///
/// kSkip (default): they are left out, so a trough spans a masked pixel and
/// its flux (0 after the camera merge) counts nowhere.
///
/// kBaltools: as DESI baltools (`baltools/fitbal.py`, calcbalparams and
/// calculatebalinfo) has them: sigma = 1/sqrt(ivar) made finite by
/// numpy.nan_to_num, i.e. the largest double, which behaves as +inf in every
/// use. A masked pixel stays in the velocity window with its flux: it is never
/// absorbed ((1 - f/0.9) - 0.5 sigma < 0), it can be bridged as one
/// non-absorbed pixel, an AI trough holding one fails the depth test (mean
/// sigma infinite), a BI trough holding one gets its (1 - f/0.9) dv in BI and
/// an infinite error, it enters diff = mean |model - f|, and it counts as
/// SNR 0 in SNR_CIV / SNR_REDSIDE / SNR_FOREST. The fit is the same in both
/// modes (weight 1/sigma^2 = 0). Used to cross-match with DESI's catalogue.
enum class MaskedPixels { kSkip, kBaltools };

/// "skip" / "baltools"; UsageError naming `option` for anything else.
MaskedPixels parse_masked_pixels(const std::string& text, const std::string& option);
const char* to_string(MaskedPixels mode);

/// A spectrum on a wavelength grid: flux and inverse variance (0 = no data).
struct Spectrum {
  std::vector<double> wave;  ///< Angstrom, increasing
  std::vector<double> flux;
  std::vector<double> ivar;
};

/// Weighted linear least squares of `flux` on the columns `basis[k][i]` with
/// weights `ivar` over the pixels where `use[i]` is true, through the normal
/// equations solved by Cholesky (LDLT). Returns the coefficients and, through
/// `chi2`, sum w (f - model)^2 and `nused` the pixels used.
std::vector<double> fit_linear(const std::vector<std::vector<double>>& basis,
                               std::span<const double> flux, std::span<const double> ivar,
                               const std::vector<char>& use, double& chi2, std::int64_t& nused);

/// Trough search of one ion over velocities `v` (increasing, km/s) with
/// normalised flux `fn` and error `sn`, inside [vlo, vhi]. `min_width` 2000
/// (BI) or 450 (AI); `ai` selects the AI bridge and depth rules. `diff_over_model`
/// (per pixel) enters the error; pass empty for none.
TroughSet find_troughs(std::span<const double> v, std::span<const double> fn,
                       std::span<const double> sn, std::span<const double> diff_over_model,
                       double vlo, double vhi, double min_width, bool ai, int max_troughs);

/// The whole finder for one QSO: rest frame, SNRs, fit, iterative masking,
/// trough search. Throws tessera::FormatError when 1549 A rest is outside the
/// spectrum or fewer fit pixels than components remain.
BalResult find_bal(const Spectrum& observed, double z, const PcaTemplates& templates,
                   MaskedPixels masked = MaskedPixels::kSkip);

/// Median of flux*sqrt(ivar) over rest [lo, hi]: pixels with ivar > 0, and
/// with kBaltools also the masked ones as 0 (flux / infinite sigma).
double median_snr(std::span<const double> rest_wave, std::span<const double> flux,
                  std::span<const double> ivar, double lo, double hi,
                  MaskedPixels masked = MaskedPixels::kSkip);

}  // namespace tessera::healpix
