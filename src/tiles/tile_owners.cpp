// Locality-first tile owners; see include/tessera/tiles/tile_owners.hpp.
#include "tessera/tiles/tile_owners.hpp"

#include <algorithm>
#include <functional>
#include <numeric>
#include <queue>
#include <utility>

namespace tessera::tiles {

std::vector<int> local_first_owners(const std::vector<double>& cost, const std::vector<int>& holder,
                                    int parts) {
  const std::size_t n = cost.size();
  std::vector<int> owner(n, -1);
  if (parts <= 1) {
    std::fill(owner.begin(), owner.end(), 0);
    return owner;
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return cost[a] > cost[b]; });
  const double mean = std::accumulate(cost.begin(), cost.end(), 0.0) / parts;
  std::vector<double> load(static_cast<std::size_t>(parts), 0.0);
  // Pass 1: tiles with work stay with their holder while it has room.
  for (std::size_t t : order) {
    const int h = holder[t];
    if (cost[t] <= 0 || h < 0 || h >= parts)
      continue;
    if (load[static_cast<std::size_t>(h)] + cost[t] <= mean) {
      owner[t] = h;
      load[static_cast<std::size_t>(h)] += cost[t];
    }
  }
  // Pass 2: the rest by LPT from those loads (least loaded, lowest rank).
  using Slot = std::pair<double, int>;
  std::priority_queue<Slot, std::vector<Slot>, std::greater<>> heap;
  for (int p = 0; p < parts; ++p)
    heap.emplace(load[static_cast<std::size_t>(p)], p);
  for (std::size_t t : order) {
    if (owner[t] >= 0)
      continue;
    auto [l, p] = heap.top();
    heap.pop();
    owner[t] = p;
    heap.emplace(l + cost[t], p);
  }
  return owner;
}

}  // namespace tessera::tiles
