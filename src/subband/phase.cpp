#include "tessera/subband/phase.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace tessera::subband {

namespace {

// Evenly spaced channels (every DSA-110 subband) let the factor of channel j
// be z0 * dz^j: a complex recurrence in double precision. Four interleaved
// chains (j = m mod 4, each stepping by dz^4) keep the multiplies independent
// instead of one long dependency chain, and a fresh sincos every kAnchor
// channels bounds the rounding: ~kAnchor/4 steps of ~1e-16 each, eight
// orders below float32's resolution. Uneven channels take one sincos each.
constexpr int kAnchor = 64;
constexpr int kChains = 4;

bool evenly_spaced(const double* freq, int nfreq, double& df) {
  df = nfreq > 1 ? (freq[nfreq - 1] - freq[0]) / (nfreq - 1) : 0.0;
  bool uniform = nfreq > 1;
  for (int j = 0; j < nfreq && uniform; ++j) {
    uniform = std::abs(freq[j] - (freq[0] + j * df)) <= 1e-6 * std::abs(df);
  }
  return uniform;
}

struct Cplx {
  double r, i;
};
inline Cplx cmul(Cplx a, Cplx b) {
  return {a.r * b.r - a.i * b.i, a.r * b.i + a.i * b.r};
}
inline Cplx cis(double phase) {
  return {std::cos(phase), std::sin(phase)};
}

// Factors of one row as separate float re/im arrays, the form the multiply
// loop below reads.
void row_factors(double phase_per_hz, const double* freq, int nfreq, bool uniform, double df,
                 float* re, float* im) {
  if (!uniform) {
    for (int j = 0; j < nfreq; ++j) {
      const Cplx z = cis(phase_per_hz * freq[j]);
      re[j] = static_cast<float>(z.r), im[j] = static_cast<float>(z.i);
    }
    return;
  }
  const Cplx step = cis(phase_per_hz * df);
  const Cplx step2 = cmul(step, step);
  const Cplx step4 = cmul(step2, step2);
  for (int a = 0; a < nfreq; a += kAnchor) {
    Cplx z[kChains];
    z[0] = cis(phase_per_hz * freq[a]);
    for (int m = 1; m < kChains; ++m)
      z[m] = cmul(z[m - 1], step);
    const int end = std::min(nfreq, a + kAnchor);
    int j = a;
    for (; j + kChains <= end; j += kChains) {
      for (int m = 0; m < kChains; ++m) {
        re[j + m] = static_cast<float>(z[m].r), im[j + m] = static_cast<float>(z[m].i);
        z[m] = cmul(z[m], step4);
      }
    }
    for (int m = 0; j < end; ++j, ++m)
      re[j] = static_cast<float>(z[m].r), im[j] = static_cast<float>(z[m].i);
  }
}

// (a + ib)(c + id) written out: std::complex's operator* carries the C99
// Annex G NaN/infinity recovery, a branch per product that stops the loop
// from vectorising; visibilities are finite or NaN-flagged either way.
inline void mul(float* v, float c, float d) {
  const float a = v[0], b = v[1];
  v[0] = a * c - b * d;
  v[1] = a * d + b * c;
}

}  // namespace

void rotate_phase(std::complex<float>* vis, std::int64_t nrows, int nfreq, int npol,
                  const double* delta_w, const double* freq, bool reverse_channels) {
  const double k = -2.0 * std::numbers::pi / kSpeedOfLight;
  const std::int64_t row_len = static_cast<std::int64_t>(nfreq) * npol;
  double df = 0;
  const bool uniform = evenly_spaced(freq, nfreq, df);
#pragma omp parallel
  {
    std::vector<float> re(static_cast<std::size_t>(nfreq)), im(re.size());
#pragma omp for schedule(static)
    for (std::int64_t r = 0; r < nrows; ++r) {
      // std::complex<float> is layout-compatible with float[2] ([complex.numbers]).
      float* row = reinterpret_cast<float*>(vis + r * row_len);
      const double dw = delta_w[r];
      if (dw != 0.0) {
        row_factors(k * dw, freq, nfreq, uniform, df, re.data(), im.data());
        for (int j = 0; j < nfreq; ++j) {
          float* cell = row + 2 * static_cast<std::int64_t>(j) * npol;
          for (int p = 0; p < npol; ++p)
            mul(cell + 2 * p, re[static_cast<std::size_t>(j)], im[static_cast<std::size_t>(j)]);
        }
      }
      if (reverse_channels)
        reverse_row(vis + r * row_len, nfreq, npol);
    }
  }
}

}  // namespace tessera::subband
