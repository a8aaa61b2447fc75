// Tile rounds: each rank's tiles packed into rounds within the budget.
#include <map>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/tiles/tile_rounds.hpp"

using namespace tessera::tiles;

namespace {

/// Points each rank holds in each round.
std::map<std::pair<int, int>, std::int64_t> loads(const TileRounds& r,
                                                  const std::vector<int>& owner) {
  std::map<std::pair<int, int>, std::int64_t> out;
  for (std::size_t t = 0; t < owner.size(); ++t)
    out[{owner[t], r.round[t]}] += r.held[t];
  return out;
}

}  // namespace

TEST_CASE("Without a budget every tile is in the one round", "[tiles][rounds]") {
  const TileRounds r = split_rounds({5, 9, 0, 3}, {0, 1, 0, 1}, 2, 0);
  CHECK(r.rounds == 1);
  CHECK(r.round == std::vector<int>{0, 0, 0, 0});
  CHECK(r.oversized.empty());
}

TEST_CASE("Each rank's rounds hold at most the budget, spread evenly", "[tiles][rounds]") {
  const std::vector<std::int64_t> held = {60, 30, 50, 20, 40, 10, 0, 70};
  const std::vector<int> owner = {0, 0, 0, 0, 1, 1, 1, 1};
  const TileRounds r = split_rounds(held, owner, 2, 100);
  for (const auto& [key, load] : loads(r, owner))
    CHECK(load <= 100);
  // First-fit decreasing needs 2 rounds on each rank (rank 0: {60,30}
  // {50,20}; rank 1: {70,10,0} {40}); the tiles are then spread over the 2
  // rounds largest first into the lightest: rank 0 {60,20} {50,30} (80 and
  // 80 instead of 90 and 70), rank 1 {70} {40,10,0}.
  CHECK(r.rounds == 2);
  CHECK(r.round[0] == r.round[3]);
  CHECK(r.round[2] == r.round[1]);
  CHECK(r.round[0] != r.round[2]);
  CHECK(r.round[7] != r.round[4]);
  CHECK(r.round[4] == r.round[5]);
  CHECK(r.max_round_points == 80);
  // Every round of every rank is used and the masks cover each tile once.
  std::vector<int> seen(held.size(), 0);
  for (int k = 0; k < r.rounds; ++k) {
    const auto mask = r.active(k);
    for (std::size_t t = 0; t < mask.size(); ++t)
      seen[t] += mask[t];
  }
  CHECK(seen == std::vector<int>(held.size(), 1));
}

TEST_CASE("A tile larger than the budget gets a round of its own", "[tiles][rounds]") {
  const std::vector<std::int64_t> held = {5, 250, 5, 5};
  const std::vector<int> owner = {0, 0, 0, 0};
  const TileRounds r = split_rounds(held, owner, 1, 10);
  CHECK(r.oversized == std::vector<int>{1});
  CHECK(r.rounds == 3);  // {250} {5,5} {5}
  for (std::size_t t = 0; t < held.size(); ++t) {
    if (t != 1)
      CHECK(r.round[t] != r.round[1]);
  }
}

TEST_CASE("Spreading keeps first-fit's rounds when it would break the budget", "[tiles][rounds]") {
  // {3,3,2,2,2} within 6: first-fit decreasing {3,3} {2,2,2}; spreading
  // over 2 rounds would give 3|3, 2 -> 5|5, 2 -> 7: over. Kept as first-fit.
  const TileRounds tight = split_rounds({3, 3, 2, 2, 2}, {0, 0, 0, 0, 0}, 1, 6);
  CHECK(tight.rounds == 2);
  CHECK(tight.round == std::vector<int>{0, 0, 1, 1, 1});
  CHECK(tight.max_round_points == 6);
  // {4,4,4,3,3,2} within 10: first-fit {4,4,2} {4,3,3}; spread: 4|4,
  // 4 -> 8|4, 3 -> 8|7, 3 -> 8|10, 2 -> 10|10.
  const TileRounds even = split_rounds({4, 4, 4, 3, 3, 2}, {0, 0, 0, 0, 0, 0}, 1, 10);
  CHECK(even.rounds == 2);
  CHECK(even.round == std::vector<int>{0, 1, 0, 1, 1, 0});
  CHECK(even.max_round_points == 10);
}

TEST_CASE("The budget in MiB becomes points of 48 bytes", "[tiles][rounds]") {
  CHECK(budget_points(0) == 0);
  CHECK(budget_points(1) == 1048576 / 48);
  CHECK(budget_points(1e-9) == 1);
  CHECK_THROWS_AS(budget_points(-1), tessera::UsageError);
}
