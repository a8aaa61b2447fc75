// DEM of difference; see include/tessera/tiles/dod.hpp.
#include "tessera/tiles/dod.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "tessera/core/error.hpp"

namespace tessera::tiles {

CellGrid CellGrid::covering(double xmin, double ymin, double xmax, double ymax, double cell) {
  CellGrid g;
  g.x0 = xmin;
  g.y0 = ymin;
  g.cell = cell;
  g.nx = std::max(1, static_cast<int>(std::floor((xmax - xmin) / cell)) + 1);
  g.ny = std::max(1, static_cast<int>(std::floor((ymax - ymin) / cell)) + 1);
  return g;
}

std::int64_t CellGrid::index_of(double x, double y) const {
  const double fi = std::floor((x - x0) / cell);
  const double fj = std::floor((y - y0) / cell);
  if (!(fi >= 0 && fi < nx && fj >= 0 && fj < ny))
    return -1;
  const auto i = static_cast<std::int64_t>(fi);
  const auto row = static_cast<std::int64_t>(ny - 1 - static_cast<int>(fj));
  return row * nx + i;
}

CellAggregate parse_aggregate(const std::string& name) {
  if (name == "mean")
    return CellAggregate::kMean;
  if (name == "min")
    return CellAggregate::kMin;
  if (name == "max")
    return CellAggregate::kMax;
  if (name == "median")
    return CellAggregate::kMedian;
  throw UsageError("--aggregate must be mean, median, min or max, not \"" + name + "\"");
}

CellAccumulator::CellAccumulator(std::int64_t cells)
    : sum(static_cast<std::size_t>(cells), 0),
      count(static_cast<std::size_t>(cells), 0),
      min(static_cast<std::size_t>(cells), INT32_MAX),
      max(static_cast<std::size_t>(cells), INT32_MIN) {}

void CellAccumulator::add(std::int64_t cell, std::int32_t raw_z) {
  const auto c = static_cast<std::size_t>(cell);
  sum[c] += raw_z;
  count[c] += 1;
  min[c] = std::min(min[c], raw_z);
  max[c] = std::max(max[c], raw_z);
}

std::vector<double> CellAccumulator::surface(CellAggregate how, double scale, double offset) const {
  std::vector<double> z(count.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t c = 0; c < count.size(); ++c) {
    if (count[c] == 0)
      continue;
    switch (how) {
      case CellAggregate::kMean:
        z[c] = static_cast<double>(sum[c]) / static_cast<double>(count[c]) * scale + offset;
        break;
      case CellAggregate::kMin:
        z[c] = min[c] * scale + offset;
        break;
      case CellAggregate::kMax:
        z[c] = max[c] * scale + offset;
        break;
      case CellAggregate::kMedian:
        throw std::logic_error("CellAccumulator cannot form medians; use cell_medians");
    }
  }
  return z;
}

std::vector<double> cell_medians(std::vector<CellSample>& samples, std::int64_t first,
                                 std::int64_t cells, double scale, double offset) {
  std::vector<double> z(static_cast<std::size_t>(cells), std::numeric_limits<double>::quiet_NaN());
  std::sort(samples.begin(), samples.end(), [](const CellSample& a, const CellSample& b) {
    return a.cell != b.cell ? a.cell < b.cell : a.z < b.z;
  });
  std::size_t i = 0;
  while (i < samples.size()) {
    std::size_t j = i;
    while (j < samples.size() && samples[j].cell == samples[i].cell)
      ++j;
    const std::int64_t c = static_cast<std::int64_t>(samples[i].cell) - first;
    if (c < 0 || c >= cells)
      throw std::logic_error("cell_medians: a sample outside the cells asked for");
    const std::size_t n = j - i, mid = i + n / 2;
    // Two int32 in double: the sum and the halving are exact.
    const double m = n % 2 == 1 ? samples[mid].z
                                : (static_cast<double>(samples[mid - 1].z) + samples[mid].z) / 2;
    z[static_cast<std::size_t>(c)] = m * scale + offset;
    i = j;
  }
  return z;
}

std::vector<double> difference(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d(a.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    d[i] = b[i] - a[i];  // NaN propagates
  return d;
}

VolumeSummary summarise_dod(const std::vector<double>& dod, double cell, double threshold) {
  VolumeSummary s;
  const double area = cell * cell;
  s.cells = static_cast<std::int64_t>(dod.size());
  for (double d : dod) {
    if (std::isnan(d)) {
      ++s.cells_empty;
      continue;
    }
    s.area_compared += area;
    s.net += d * area;
    if (d > 0)
      s.gain += d * area;
    if (d < 0)
      s.loss += d * area;
    if (std::abs(d) > threshold)
      s.area_changed += area;
  }
  return s;
}

}  // namespace tessera::tiles
