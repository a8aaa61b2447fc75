// Phase rotation: direct complex multiplication, there and back, channel order.
#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <vector>

#include "support/catch.hpp"
#include "tessera/subband/phase.hpp"

using namespace tessera::subband;

TEST_CASE("phase rotation multiplies by exp(-2 pi i dw f / c)", "[subband][phase]") {
  const int nrows = 3, nfreq = 5, npol = 2;
  std::vector<std::complex<float>> vis(nrows * nfreq * npol, {1.0f, 0.5f});
  const std::vector<double> dw{0.0, 12.5, -700.25};
  std::vector<double> freq;
  for (int j = 0; j < nfreq; ++j)
    freq.push_back(1.4e9 - j * 2.44140625e5);
  rotate_phase(vis.data(), nrows, nfreq, npol, dw.data(), freq.data(), false);
  for (int r = 0; r < nrows; ++r) {
    for (int j = 0; j < nfreq; ++j) {
      const double phi = -2.0 * std::numbers::pi * dw[r] * freq[j] / 299792458.0;
      const std::complex<double> want = std::complex<double>(1.0, 0.5) * std::polar(1.0, phi);
      for (int p = 0; p < npol; ++p) {
        const auto got = vis[(r * nfreq + j) * npol + p];
        CHECK(got.real() == Approx(want.real()).margin(1e-6));
        CHECK(got.imag() == Approx(want.imag()).margin(1e-6));
      }
    }
  }
}

TEST_CASE("phasing there and back recovers the input within float32 precision",
          "[subband][phase]") {
  std::mt19937 rng(3);
  std::normal_distribution<float> g(0.0f, 5.0f);
  std::uniform_real_distribution<double> w(-2500.0, 2500.0);
  const int nrows = 200, nfreq = 48, npol = 2;
  std::vector<std::complex<float>> vis(nrows * nfreq * npol);
  for (auto& v : vis)
    v = {g(rng), g(rng)};
  const auto original = vis;
  std::vector<double> dw(nrows), back(nrows), freq(nfreq);
  for (int r = 0; r < nrows; ++r)
    dw[r] = w(rng), back[r] = -dw[r];
  for (int j = 0; j < nfreq; ++j)
    freq[j] = 1.49875e9 - j * 244140.625;
  rotate_phase(vis.data(), nrows, nfreq, npol, dw.data(), freq.data(), false);
  double moved = 0;
  for (std::size_t i = 0; i < vis.size(); ++i)
    moved = std::max(moved, double(std::abs(vis[i] - original[i])));
  CHECK(moved > 1.0);  // the rotation did something
  rotate_phase(vis.data(), nrows, nfreq, npol, back.data(), freq.data(), false);
  for (std::size_t i = 0; i < vis.size(); ++i) {
    const double scale = std::max(1.0, double(std::abs(original[i])));
    CHECK(double(std::abs(vis[i] - original[i])) <= 4 * 1.2e-7 * scale);
  }
}

TEST_CASE("descending channels come out ascending with their own phase factors",
          "[subband][phase]") {
  const int nfreq = 4, npol = 1;
  std::vector<std::complex<float>> vis{{1, 0}, {2, 0}, {3, 0}, {4, 0}};
  const std::vector<double> freq{1.4e9, 1.3e9, 1.2e9, 1.1e9};
  const double dw = 0.1;
  rotate_phase(vis.data(), 1, nfreq, npol, &dw, freq.data(), true);
  for (int j = 0; j < nfreq; ++j) {
    const int src = nfreq - 1 - j;  // input channel now at position j
    const double phi = -2.0 * std::numbers::pi * dw * freq[src] / 299792458.0;
    const auto want = std::complex<double>(src + 1, 0) * std::polar(1.0, phi);
    CHECK(vis[j].real() == Approx(want.real()).margin(1e-5));
    CHECK(vis[j].imag() == Approx(want.imag()).margin(1e-5));
  }
  std::vector<int> flags{1, 2, 3, 4, 5, 6};  // 1 row, 3 channels, 2 pols
  reverse_channel_order(flags.data(), 1, 3, 2);
  CHECK(flags == std::vector<int>{5, 6, 3, 4, 1, 2});
}

TEST_CASE("long rows and uneven channels match a direct sincos per channel", "[subband][phase]") {
  // 203 channels: several re-anchoring blocks of the recurrence and a tail
  // that is not a multiple of its four interleaved chains; the second set of
  // frequencies is uneven (every channel its own sincos).
  const int nrows = 4, nfreq = 203, npol = 3;
  const std::vector<double> dw{3.0, -1234.5, 2999.75, 0.5};
  std::vector<double> even(nfreq), uneven(nfreq);
  for (int j = 0; j < nfreq; ++j) {
    even[j] = 1.53e9 - j * 30517.578125;
    uneven[j] = 1.2e9 + j * 1.0e5 + (j % 3) * 7.0e3;
  }
  for (const auto* freq : {&even, &uneven}) {
    std::vector<std::complex<float>> vis(nrows * nfreq * npol);
    for (std::size_t i = 0; i < vis.size(); ++i)
      vis[i] = {float(i % 7) - 3.0f, float(i % 5) + 0.25f};
    const auto original = vis;
    rotate_phase(vis.data(), nrows, nfreq, npol, dw.data(), freq->data(), false);
    double worst = 0;
    for (int r = 0; r < nrows; ++r) {
      for (int j = 0; j < nfreq; ++j) {
        const double phi = -2.0 * std::numbers::pi * dw[r] * (*freq)[j] / 299792458.0;
        for (int p = 0; p < npol; ++p) {
          const std::size_t i = (std::size_t(r) * nfreq + j) * npol + p;
          const auto want = std::complex<double>(original[i]) * std::polar(1.0, phi);
          const double scale = std::max(1.0, std::abs(want));
          worst = std::max(worst, std::abs(std::complex<double>(vis[i]) - want) / scale);
        }
      }
    }
    CHECK(worst < 4 * 1.2e-7);
  }
}
