#include "tessera/core/group_plan.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "tessera/core/error.hpp"

namespace tessera {

namespace {

// Group g of G: items block_range(items, G, g); parts in proportion to the
// items, [floor(P * begin / I), floor(P * end / I)). Empty when some group
// would get no part.
std::vector<ItemGroup> cut_groups(std::int64_t items, int parts, int count) {
  std::vector<ItemGroup> out;
  for (int g = 0; g < count; ++g) {
    const BlockRange it = block_range(items, count, g);
    const BlockRange pr{parts * it.begin / items, parts * it.end / items};
    if (pr.size() <= 0 || it.size() <= 0)
      return {};
    out.push_back({it, pr});
  }
  return out;
}

std::int64_t busiest_part(const std::vector<ItemGroup>& groups, std::int64_t days) {
  std::int64_t most = 0;
  for (const ItemGroup& g : groups) {
    const std::int64_t per_part = (days + g.parts.size() - 1) / g.parts.size();
    most = std::max(most, g.items.size() * per_part);
  }
  return most;
}

}  // namespace

int GroupPlan::group_of(int part) const {
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (part >= groups[g].parts.begin && part < groups[g].parts.end)
      return static_cast<int>(g);
  }
  throw UsageError(fmt::format("GroupPlan: part {} is in no group", part));
}

GroupPlan plan_item_groups(std::int64_t items, std::int64_t days, int parts, double tolerance) {
  if (parts <= 0 || items < 0 || days < 0 || tolerance < 0) {
    throw UsageError(fmt::format("plan_item_groups: bad arguments items={} days={} parts={}", items,
                                 days, parts));
  }
  if (items == 0)
    return {{{BlockRange{0, 0}, BlockRange{0, parts}}}, 0};
  const int most = static_cast<int>(std::min<std::int64_t>(items, parts));
  std::vector<std::vector<ItemGroup>> plans(static_cast<std::size_t>(most) + 1);
  std::vector<std::int64_t> cost(plans.size(), -1);
  std::int64_t best = -1;
  for (int g = 1; g <= most; ++g) {
    plans[static_cast<std::size_t>(g)] = cut_groups(items, parts, g);
    if (plans[static_cast<std::size_t>(g)].empty())
      continue;
    cost[static_cast<std::size_t>(g)] = busiest_part(plans[static_cast<std::size_t>(g)], days);
    if (best < 0 || cost[static_cast<std::size_t>(g)] < best)
      best = cost[static_cast<std::size_t>(g)];
  }
  for (int g = 1; g <= most; ++g) {
    const auto c = cost[static_cast<std::size_t>(g)];
    if (c >= 0 && static_cast<double>(c) <= (1.0 + tolerance) * static_cast<double>(best))
      return {std::move(plans[static_cast<std::size_t>(g)]), c};
  }
  return {std::move(plans[1]), cost[1]};  // not reached: g = 1 always has a plan
}

}  // namespace tessera
