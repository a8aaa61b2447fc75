#include "tessera/core/partition.hpp"

#include <algorithm>
#include <numeric>
#include <queue>

#include <fmt/format.h>

#include "tessera/core/error.hpp"

namespace tessera {

BlockRange block_range(std::int64_t n, int parts, int index) {
  if (parts <= 0 || index < 0 || index >= parts || n < 0) {
    throw UsageError(
        fmt::format("block_range: bad arguments n={} parts={} index={}", n, parts, index));
  }
  const std::int64_t base = n / parts;
  const std::int64_t extra = n % parts;
  const std::int64_t begin = index * base + std::min<std::int64_t>(index, extra);
  return {begin, begin + base + (index < extra ? 1 : 0)};
}

int block_owner(std::int64_t n, int parts, std::int64_t i) {
  const std::int64_t base = n / parts;
  const std::int64_t extra = n % parts;
  const std::int64_t big = extra * (base + 1);  // items held by the larger blocks
  if (i < big)
    return static_cast<int>(i / (base + 1));
  return static_cast<int>(extra + (i - big) / base);
}

double LptPlan::makespan() const {
  return load.empty() ? 0.0 : *std::max_element(load.begin(), load.end());
}

double LptPlan::imbalance() const {
  if (load.empty())
    return 1.0;
  const double mean =
      std::accumulate(load.begin(), load.end(), 0.0) / static_cast<double>(load.size());
  return mean > 0 ? makespan() / mean : 1.0;
}

LptPlan lpt_plan(const std::vector<double>& weights, int parts,
                 const std::vector<double>& initial_load, const std::vector<int>& holder) {
  if (parts <= 0)
    throw UsageError(fmt::format("lpt_plan: {} parts", parts));
  if (!initial_load.empty() && initial_load.size() != static_cast<std::size_t>(parts))
    throw UsageError(
        fmt::format("lpt_plan: {} initial loads for {} parts", initial_load.size(), parts));
  if (!holder.empty() && holder.size() != weights.size())
    throw UsageError(
        fmt::format("lpt_plan: {} holders for {} items", holder.size(), weights.size()));
  LptPlan plan;
  plan.owner.assign(weights.size(), -1);
  plan.load = initial_load;
  plan.load.resize(static_cast<std::size_t>(parts), 0.0);
  std::vector<std::size_t> order(weights.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return weights[a] > weights[b]; });
  if (!holder.empty()) {
    // Pass 1: items with work stay with their holder while it has room.
    const double mean = (std::accumulate(plan.load.begin(), plan.load.end(), 0.0) +
                         std::accumulate(weights.begin(), weights.end(), 0.0)) /
                        parts;
    for (std::size_t i : order) {
      const int h = holder[i];
      if (weights[i] <= 0 || h < 0 || h >= parts)
        continue;
      double& load = plan.load[static_cast<std::size_t>(h)];
      if (load + weights[i] <= mean) {
        plan.owner[i] = h;
        load += weights[i];
      }
    }
  }
  // Min-heap of (load, part): the least-loaded part, lowest index on ties.
  using Slot = std::pair<double, int>;
  std::priority_queue<Slot, std::vector<Slot>, std::greater<>> heap;
  for (int p = 0; p < parts; ++p)
    heap.emplace(plan.load[static_cast<std::size_t>(p)], p);
  for (std::size_t i : order) {
    if (plan.owner[i] >= 0)
      continue;
    auto [load, part] = heap.top();
    heap.pop();
    plan.owner[i] = part;
    load += weights[i];
    plan.load[static_cast<std::size_t>(part)] = load;
    heap.emplace(load, part);
  }
  return plan;
}

}  // namespace tessera
