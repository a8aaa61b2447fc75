// exchange_records and the v-collective displacements at 1, 2 and 4 ranks with
// unequal counts: every record arrives once, grouped by source rank in rank
// order. Run in every build type CI makes: GCC 12.2 at -O3 once sent every
// source's block to receive offset 0 (issue 14), which this catches.
#include <cstdint>
#include <vector>

#include "support/catch.hpp"
#include "tessera/core/exchange.hpp"

using namespace tessera;

namespace {
struct Rec {
  std::int64_t source;
  std::int64_t index;
  std::int32_t dest;
  std::int32_t pad;
};
}  // namespace

TEST_CASE("displacements are the exclusive prefix sums of the counts", "[exchange]") {
  CHECK(displacements({}).empty());
  CHECK(displacements({7}) == std::vector<int>{0});
  CHECK(displacements({3, 0, 5, 9, 1}) == std::vector<int>{0, 3, 3, 8, 17});
}

TEST_CASE("exchange_records delivers every record once, by source rank", "[exchange]") {
  const Comm world = Comm::world();
  const int p = world.size(), me = world.rank();
  // Rank s sends (s + 1) * (d + 2) records to rank d (d = s included), plus
  // none at all to rank 1 from rank 0, so counts differ everywhere.
  auto count = [](int s, int d) -> std::int64_t {
    return (s == 0 && d == 1) ? 0 : (s + 1) * (d + 2);
  };
  std::vector<std::int64_t> send_counts(static_cast<std::size_t>(p));
  std::vector<Rec> send;
  for (int d = 0; d < p; ++d) {
    send_counts[static_cast<std::size_t>(d)] = count(me, d);
    for (std::int64_t i = 0; i < count(me, d); ++i)
      send.push_back({me, i, d, 0});
  }
  const std::vector<Rec> got = exchange_records(world, send, send_counts, "test records");
  std::vector<Rec> want;
  for (int s = 0; s < p; ++s) {
    for (std::int64_t i = 0; i < count(s, me); ++i)
      want.push_back({s, i, me, 0});
  }
  REQUIRE(got.size() == want.size());
  std::size_t wrong = 0;
  for (std::size_t k = 0; k < got.size(); ++k) {
    if (got[k].source != want[k].source || got[k].index != want[k].index ||
        got[k].dest != want[k].dest)
      ++wrong;
  }
  CHECK(wrong == 0);
}
