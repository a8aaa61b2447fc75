#include <numeric>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/partition.hpp"

using namespace tessera;

TEST_CASE("Block ranges cover every item exactly once and differ by at most one", "[partition]") {
  for (std::int64_t n : {0, 1, 7, 100, 101}) {
    for (int parts : {1, 2, 3, 4, 16}) {
      std::int64_t expected_begin = 0;
      std::int64_t smallest = n, largest = 0;
      for (int p = 0; p < parts; ++p) {
        const auto r = block_range(n, parts, p);
        CHECK(r.begin == expected_begin);
        expected_begin = r.end;
        smallest = std::min(smallest, r.size());
        largest = std::max(largest, r.size());
        for (auto i = r.begin; i < r.end; ++i)
          CHECK(block_owner(n, parts, i) == p);
      }
      CHECK(expected_begin == n);
      CHECK(largest - smallest <= 1);
    }
  }
}

TEST_CASE("Block range rejects impossible arguments", "[partition]") {
  CHECK_THROWS_AS(block_range(10, 0, 0), UsageError);
  CHECK_THROWS_AS(block_range(10, 2, 2), UsageError);
}

TEST_CASE("LPT plan matches the hand-computed assignment", "[partition][lpt]") {
  // Sorted: 7 6 5 4 3 3 2. Loads after the first three: 7 6 5; 4 -> part 2 (9);
  // 3 -> part 1 (9); 3 -> part 0 (10); 2 -> part 1 (tie 9/9, lowest index) = 11.
  const std::vector<double> w{7, 6, 5, 4, 3, 3, 2};
  const auto plan = lpt_plan(w, 3);
  CHECK(plan.owner == std::vector<int>{0, 1, 2, 2, 1, 0, 1});
  CHECK(plan.load == std::vector<double>{10, 11, 9});
  CHECK(plan.makespan() == 11);
  // The optimum is 10 ({7,3} {6,4} {5,3,2}); Graham's bound is 4/3 - 1/(3m).
  CHECK(plan.makespan() <= (4.0 / 3.0 - 1.0 / 9.0) * 10.0);
}

TEST_CASE("LPT reaches exactly Graham's bound on the classic worst case", "[partition][lpt]") {
  // m = 2: jobs 3 3 2 2 2. LPT gives 7, the optimum 6 ({3,3} {2,2,2}): ratio 7/6.
  const auto plan = lpt_plan({3, 3, 2, 2, 2}, 2);
  CHECK(plan.makespan() == 7);
  CHECK(plan.makespan() <= (4.0 / 3.0 - 1.0 / 6.0) * 6.0 + 1e-12);
}

TEST_CASE("LPT keeps every item and its loads sum to the total weight", "[partition][lpt]") {
  std::vector<double> w;
  for (int i = 0; i < 1000; ++i)
    w.push_back(1.0 + (i * 7919) % 97);
  for (int parts : {1, 2, 4, 7}) {
    const auto plan = lpt_plan(w, parts);
    REQUIRE(plan.owner.size() == w.size());
    std::vector<double> load(parts, 0.0);
    for (std::size_t i = 0; i < w.size(); ++i)
      load[plan.owner[i]] += w[i];
    CHECK(load == plan.load);
    CHECK(plan.imbalance() < 1.01);  // many small items: near-perfect balance
  }
}

TEST_CASE("lpt_plan starts from initial loads", "[partition]") {
  // Part 0 already carries 10: the items go to part 1 until it catches up.
  const LptPlan plan = lpt_plan({4, 3, 2, 2}, 2, {10.0, 0.0});
  CHECK(plan.owner == std::vector<int>{1, 1, 1, 1});
  CHECK(plan.load == std::vector<double>{10.0, 11.0});
  CHECK_THROWS_AS(lpt_plan({1}, 2, {1.0}), UsageError);
}

TEST_CASE("lpt_plan's holder-first pass keeps items with their holder within the mean",
          "[partition]") {
  // Mean load 6: part 1 holds everything, keeps 4 + 2 (= 6), the rest by LPT.
  const LptPlan plan = lpt_plan({4, 3, 2, 2, 1}, 2, {}, {1, 1, 1, 1, 1});
  CHECK(plan.owner == std::vector<int>{1, 0, 1, 0, 0});
  CHECK(plan.load == std::vector<double>{6.0, 6.0});
  // Holders < 0 and items of no weight take the LPT pass.
  const LptPlan none = lpt_plan({4, 3, 0}, 2, {}, {-1, -1, 1});
  CHECK(none.owner == lpt_plan({4, 3, 0}, 2).owner);
}
