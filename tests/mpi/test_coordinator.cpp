#include <chrono>
#include <thread>

#include "support/catch.hpp"
#include "tessera/core/coordinator.hpp"

using namespace tessera;

TEST_CASE("Every item is processed exactly once under dynamic claiming with uneven costs",
          "[coordinator]") {
  const Comm world = Comm::world();
  Coordinator coordinator(world);
  const int n = 203;
  std::vector<WorkItem> items;
  if (world.is_root()) {
    for (int i = 0; i < n; ++i)
      items.push_back({i, double(1 + (i * 37) % 11)});
  }
  const auto plan = coordinator.share_plan(items);
  REQUIRE(plan.size() == static_cast<std::size_t>(n));
  // The plan is sorted by decreasing cost.
  for (std::size_t i = 1; i < plan.size(); ++i)
    CHECK(plan[i - 1].cost >= plan[i].cost);

  std::vector<std::int64_t> seen(n, 0);
  const auto stats = coordinator.run_dynamic(plan, [&](const WorkItem& item) {
    seen[static_cast<std::size_t>(item.id)] += 1;
    // Uneven real cost: rank 0 is also slowed, and still takes part.
    std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int>(item.cost) * 50));
  });
  std::vector<std::int64_t> total(n, 0);
  MPI_Allreduce(seen.data(), total.data(), n, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
  for (int i = 0; i < n; ++i)
    CHECK(total[static_cast<std::size_t>(i)] == 1);
  CHECK(stats.claims == stats.items + 1);  // one final claim beyond the end
  const auto all_items = world.allreduce_sum(stats.items);
  CHECK(all_items == n);
  if (world.size() > 1) {
    // Rank 0 works too: every rank claimed something on this long plan.
    CHECK(world.allreduce_min(double(stats.items)) > 0);
  }
}

TEST_CASE("An empty plan finishes at once on every rank", "[coordinator]") {
  const Comm world = Comm::world();
  Coordinator coordinator(world);
  const auto plan = coordinator.share_plan({});
  int calls = 0;
  const auto stats = coordinator.run_dynamic(plan, [&](const WorkItem&) { ++calls; });
  CHECK(calls == 0);
  CHECK(stats.claims == 1);
}

TEST_CASE("Static LPT shares cover the plan exactly once", "[coordinator]") {
  const Comm world = Comm::world();
  Coordinator coordinator(world);
  std::vector<WorkItem> items;
  if (world.is_root()) {
    for (int i = 0; i < 50; ++i)
      items.push_back({100 + i, double(50 - i)});
  }
  const auto plan = coordinator.share_plan(items);
  const auto mine = coordinator.static_share(plan);
  std::vector<std::int64_t> seen(50, 0);
  for (const auto& it : mine)
    seen[static_cast<std::size_t>(it.id - 100)] += 1;
  std::vector<std::int64_t> total(50, 0);
  MPI_Allreduce(seen.data(), total.data(), 50, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
  for (auto t : total)
    CHECK(t == 1);
}

TEST_CASE("Sub-communicators group consecutive ranks", "[mpi]") {
  const Comm world = Comm::world();
  const Comm group = world.split_into_groups(2);
  CHECK(group.size() == std::min(2, world.size() - (world.rank() / 2) * 2));
  CHECK(group.rank() == world.rank() % 2);
  const auto sum = group.allreduce_sum(std::int64_t{world.rank()});
  const std::int64_t first = (world.rank() / 2) * 2;
  std::int64_t expected = 0;
  for (std::int64_t r = first; r < std::min<std::int64_t>(first + 2, world.size()); ++r)
    expected += r;
  CHECK(sum == expected);
}
