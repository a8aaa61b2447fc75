// lpt_plan's holder-first pass (tile owners): local where the load allows,
// balanced like LPT otherwise.
#include <algorithm>
#include <numeric>
#include <random>

#include "support/catch.hpp"
#include "tessera/core/partition.hpp"

using namespace tessera;

namespace {

std::vector<double> loads(const std::vector<double>& cost, const std::vector<int>& owner,
                          int parts) {
  std::vector<double> l(static_cast<std::size_t>(parts), 0.0);
  for (std::size_t t = 0; t < cost.size(); ++t) {
    REQUIRE(owner[t] >= 0);
    REQUIRE(owner[t] < parts);
    l[static_cast<std::size_t>(owner[t])] += cost[t];
  }
  return l;
}

}  // namespace

TEST_CASE("Tiles stay with the rank holding their points when that is balanced",
          "[tiles][owners]") {
  // 30 tiles in 5 rows, records in row order: rank 0 holds rows 0-1 and the
  // first half of row 2, rank 1 the rest (the medium pair at 2 ranks).
  std::vector<double> cost(30, 500.0);
  std::vector<int> holder(30);
  for (int t = 0; t < 30; ++t)
    holder[t] = t < 15 ? 0 : 1;
  const auto owner = lpt_plan(cost, 2, {}, holder).owner;
  CHECK(owner == holder);
  const auto l = loads(cost, owner, 2);
  CHECK(l[0] == l[1]);
}

TEST_CASE("Tiles all held by one rank are still spread over the ranks", "[tiles][owners]") {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(1, 100);
  std::vector<double> cost(40);
  for (auto& c : cost)
    c = u(rng);
  const std::vector<int> holder(40, 0);
  for (int parts : {2, 3, 4, 7}) {
    const auto owner = lpt_plan(cost, parts, {}, holder).owner;
    const auto l = loads(cost, owner, parts);
    const double total = std::accumulate(cost.begin(), cost.end(), 0.0);
    const double most = *std::max_element(cost.begin(), cost.end());
    // The list-scheduling bound: no rank above the mean plus one tile.
    for (double x : l)
      CHECK(x <= total / parts + most);
    // Rank 0 keeps its tiles up to the mean, not more.
    CHECK(l[0] <= total / parts + most);
    CHECK(*std::min_element(l.begin(), l.end()) > 0);
  }
}

TEST_CASE("Tile owners are deterministic and keep what fits", "[tiles][owners]") {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(0, 50);
  std::uniform_int_distribution<int> r(0, 3);
  std::vector<double> cost(100);
  std::vector<int> holder(100);
  for (std::size_t t = 0; t < 100; ++t) {
    cost[t] = t % 10 == 0 ? 0.0 : u(rng);  // some empty tiles
    holder[t] = r(rng);
  }
  const auto a = lpt_plan(cost, 4, {}, holder).owner;
  CHECK(a == lpt_plan(cost, 4, {}, holder).owner);
  const auto l = loads(cost, a, 4);
  const double total = std::accumulate(cost.begin(), cost.end(), 0.0);
  const double most = *std::max_element(cost.begin(), cost.end());
  for (double x : l)
    CHECK(x <= total / 4 + most);
  // Holders spread evenly: most tiles with work stay local.
  int kept = 0, with_work = 0;
  for (std::size_t t = 0; t < 100; ++t) {
    if (cost[t] > 0) {
      ++with_work;
      kept += a[t] == holder[t];
    }
  }
  CHECK(kept >= with_work * 3 / 4);
  // One rank: everything on rank 0.
  const auto one = lpt_plan(cost, 1, {}, holder).owner;
  CHECK(std::all_of(one.begin(), one.end(), [](int o) { return o == 0; }));
}
