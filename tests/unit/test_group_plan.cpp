#include <algorithm>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/group_plan.hpp"

using namespace tessera;

namespace {

// The busiest part of a plan, counted pair by pair from its day blocks.
std::int64_t count_busiest(const GroupPlan& plan, std::int64_t days) {
  std::int64_t most = 0;
  for (const ItemGroup& g : plan.groups) {
    const int n = static_cast<int>(g.parts.size());
    for (int p = 0; p < n; ++p)
      most = std::max(most, g.items.size() * block_range(days, n, p).size());
  }
  return most;
}

}  // namespace

TEST_CASE("Item groups cover every item and every part once", "[group_plan]") {
  for (std::int64_t items : {1, 2, 3, 4, 7, 1000}) {
    for (std::int64_t days : {1, 3, 20, 365}) {
      for (int parts : {1, 2, 3, 4, 5, 8, 64, 256, 1460, 2000}) {
        const GroupPlan plan = plan_item_groups(items, days, parts);
        REQUIRE(!plan.groups.empty());
        std::int64_t next_item = 0, next_part = 0;
        for (const ItemGroup& g : plan.groups) {
          CHECK(g.items.begin == next_item);
          CHECK(g.parts.begin == next_part);
          CHECK(g.items.size() > 0);
          CHECK(g.parts.size() > 0);
          next_item = g.items.end;
          next_part = g.parts.end;
        }
        CHECK(next_item == items);
        CHECK(next_part == parts);
        CHECK(plan.busiest == count_busiest(plan, days));
        for (int p = 0; p < parts; ++p) {
          const ItemGroup& g = plan.groups[static_cast<std::size_t>(plan.group_of(p))];
          CHECK((p >= g.parts.begin && p < g.parts.end));
        }
        // Never worse than days alone, never better than a perfect split.
        const std::int64_t days_only = items * ((days + parts - 1) / parts);
        CHECK(plan.busiest <= days_only);
        CHECK(plan.busiest * parts >= items * days);
      }
    }
  }
}

TEST_CASE("Item groups: the raster cases of the scale review", "[group_plan]") {
  // 4 variables x 365 days: days alone up to 4 ranks (nothing changes there).
  for (int p : {1, 2, 4}) {
    const GroupPlan plan = plan_item_groups(4, 365, p);
    CHECK(plan.groups.size() == 1);
    CHECK(plan.busiest == 4 * ((365 + p - 1) / p));
  }
  // 256 ranks: days alone give 8 pairs (2 days x 4) on the busiest rank against
  // 5.7 on average; two groups of 128 ranks give 2 x 3 = 6.
  const GroupPlan p256 = plan_item_groups(4, 365, 256);
  CHECK(p256.groups.size() == 2);
  CHECK(p256.busiest == 6);
  // 1460 ranks: one (variable, day) pair each.
  CHECK(plan_item_groups(4, 365, 1460).busiest == 1);
  // More ranks than days: 8 ranks, 3 days.
  const GroupPlan tiny = plan_item_groups(4, 3, 8);
  CHECK(tiny.busiest == 2);
  CHECK(tiny.groups.size() == 2);
  CHECK(plan_item_groups(4, 3, 4).groups.size() == 4);
  CHECK(plan_item_groups(4, 3, 2).groups.size() == 2);
  // Fewer items than groups could use: 1 variable stays one group.
  CHECK(plan_item_groups(1, 3, 8).groups.size() == 1);
}

TEST_CASE("Item groups reject impossible arguments", "[group_plan]") {
  CHECK_THROWS_AS(plan_item_groups(4, 365, 0), UsageError);
  CHECK_THROWS_AS(plan_item_groups(-1, 365, 2), UsageError);
  const GroupPlan none = plan_item_groups(0, 365, 3);
  REQUIRE(none.groups.size() == 1);
  CHECK(none.groups[0].parts.size() == 3);
  CHECK(none.group_of(2) == 0);
  CHECK_THROWS_AS(none.group_of(3), UsageError);
}
