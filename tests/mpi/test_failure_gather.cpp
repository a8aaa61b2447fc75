// Gathers to rank 0 whose size grows with the input, at 1, 2 and 4 ranks:
// FailureLog sends a count and a bounded number of records per rank (exact
// totals, the same first records at any rank count), gather_strings and
// gather_records refuse totals past MPI's int counts on every rank alike
// (docs/performance.md#scaling-model).
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/exchange.hpp"
#include "tessera/core/failures.hpp"

using namespace tessera;

TEST_CASE("100k item failures: exact total, bounded records, rank-count independent",
          "[failures]") {
  const Comm world = Comm::world();
  const int p = world.size(), me = world.rank();
  constexpr int kItems = 100000;
  FailureLog log;
  // Item i fails on rank i mod p, recorded in descending order so that the
  // records must be sorted to find the first ones.
  for (int i = kItems - 1; i >= 0; --i) {
    if (i % p == me)
      log.record(fmt::format("QSO {:07d}", i), fmt::format("no fit for {}", i));
  }
  std::int64_t total = 0;
  const auto first = log.gather(world, &total, 20);
  CHECK(total == kItems);
  if (world.is_root()) {
    REQUIRE(first.size() == 20);
    for (int i = 0; i < 20; ++i) {
      CHECK(first[static_cast<std::size_t>(i)].item == fmt::format("QSO {:07d}", i));
      CHECK(first[static_cast<std::size_t>(i)].reason == fmt::format("no fit for {}", i));
      CHECK(first[static_cast<std::size_t>(i)].rank == i % p);
    }
  } else {
    CHECK(first.empty());
  }
  // The report counts every failure and returns the total on every rank.
  CHECK(log.report(world, "test step", 5) == kItems);
}

TEST_CASE("failures with equal items keep rank order", "[failures]") {
  const Comm world = Comm::world();
  FailureLog log;
  log.record("pixel 7", fmt::format("second on rank {}", world.rank()));
  log.record("pixel 7", fmt::format("first on rank {}", world.rank()));
  log.record("pixel 9", "later");
  std::int64_t total = 0;
  const auto all = log.gather(world, &total, 2 * static_cast<std::size_t>(world.size()));
  CHECK(total == 3 * world.size());
  if (world.is_root()) {
    REQUIRE(all.size() == 2 * static_cast<std::size_t>(world.size()));
    for (int r = 0; r < world.size(); ++r) {
      CHECK(all[2 * static_cast<std::size_t>(r)].reason == fmt::format("second on rank {}", r));
      CHECK(all[2 * static_cast<std::size_t>(r) + 1].reason == fmt::format("first on rank {}", r));
    }
  }
}

TEST_CASE("gather_strings refuses a total past its limit on every rank", "[gather]") {
  const Comm world = Comm::world();
  const std::string mine(10 + static_cast<std::size_t>(world.rank()), 'a' + world.rank() % 26);
  std::int64_t total = 0;
  for (int r = 0; r < world.size(); ++r)
    total += 10 + r;
  const auto ok = detail::gather_strings(world, mine, 0, total);
  if (world.is_root()) {
    REQUIRE(ok.size() == static_cast<std::size_t>(world.size()));
    for (int r = 0; r < world.size(); ++r)
      CHECK(ok[static_cast<std::size_t>(r)] ==
            std::string(10 + static_cast<std::size_t>(r), 'a' + r % 26));
  }
  // One byte less: every rank throws (none is left in the Gatherv).
  CHECK_THROWS_AS(detail::gather_strings(world, mine, 0, total - 1), ParallelError);
  world.barrier();
}

TEST_CASE("gather_records moves records in rank order and checks the total", "[gather]") {
  const Comm world = Comm::world();
  struct Row {
    std::int64_t rank, index;
    double value;
  };
  std::vector<Row> mine;
  for (int i = 0; i < 3 * world.rank() + 1; ++i)  // unequal counts: 1, 4, 7, 10
    mine.push_back({world.rank(), i, 0.5 * i});
  std::int64_t total = 0;
  for (int r = 0; r < world.size(); ++r)
    total += 3 * r + 1;
  const auto all = gather_records(world, mine, 0, "test rows");
  if (world.is_root()) {
    REQUIRE(static_cast<std::int64_t>(all.size()) == total);
    std::size_t k = 0;
    for (int r = 0; r < world.size(); ++r) {
      for (int i = 0; i < 3 * r + 1; ++i, ++k) {
        CHECK(all[k].rank == r);
        CHECK(all[k].index == i);
        CHECK(all[k].value == 0.5 * i);
      }
    }
  } else {
    CHECK(all.empty());
  }
  CHECK_THROWS_AS(gather_records(world, mine, 0, "test rows", total - 1), ParallelError);
  world.barrier();
}
