// Comm's typed collectives at 1, 2 and 4 ranks with unequal counts, against
// values every rank can compute alone: rank r contributes r + 1 elements of
// value 100 r + i.
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/mpi.hpp"

using namespace tessera;

namespace {

std::vector<std::int64_t> part_of(int r) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(r + 1));
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = 100 * r + static_cast<std::int64_t>(i);
  return v;
}

std::vector<std::int64_t> all_parts(int p) {
  std::vector<std::int64_t> all;
  for (int r = 0; r < p; ++r) {
    const auto v = part_of(r);
    all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

}  // namespace

TEST_CASE("allreduce, argmax and exscan over spans", "[comm]") {
  const Comm comm = Comm::world();
  const int p = comm.size(), me = comm.rank();
  std::vector<std::int64_t> sum{me, 1, -me};
  comm.allreduce(sum, ReduceOp::sum);
  CHECK(sum == std::vector<std::int64_t>{p * (p - 1) / 2, p, -p * (p - 1) / 2});
  double lo[2] = {1.0 * me, -1.0 * me}, hi[2] = {1.0 * me, -1.0 * me};
  comm.allreduce(lo, ReduceOp::min);
  comm.allreduce(hi, ReduceOp::max);
  CHECK(lo[0] == 0.0);
  CHECK(lo[1] == -(p - 1.0));
  CHECK(hi[0] == p - 1.0);
  CHECK(hi[1] == 0.0);
  // Element 0: largest on the last rank; 1: equal everywhere (the lowest rank).
  const std::vector<int> arg = comm.allreduce_argmax(std::vector<std::int64_t>{me, 7});
  CHECK(arg == std::vector<int>{p - 1, 0});
  CHECK(comm.exscan_sum(me + 1) == static_cast<std::int64_t>(me * (me + 1) / 2));
}

TEST_CASE("gatherv and allgatherv concatenate in rank order", "[comm]") {
  const Comm comm = Comm::world();
  const int p = comm.size(), me = comm.rank();
  const std::vector<std::int64_t> mine = part_of(me);
  const std::vector<std::int64_t> at_root = comm.gatherv(mine);
  CHECK(at_root == (me == 0 ? all_parts(p) : std::vector<std::int64_t>{}));
  CHECK(comm.allgatherv(mine) == all_parts(p));
  const std::vector<std::int64_t> none;
  CHECK(comm.allgatherv(none).empty());
}

TEST_CASE("alltoallv and exchange_runs deliver every element once", "[comm]") {
  const Comm comm = Comm::world();
  const int p = comm.size(), me = comm.rank();
  // Rank s sends s + d + 1 elements to rank d, valued 1000 s + 10 d + i.
  std::vector<int> counts(static_cast<std::size_t>(p));
  std::vector<std::int64_t> send;
  for (int d = 0; d < p; ++d) {
    counts[static_cast<std::size_t>(d)] = me + d + 1;
    for (int i = 0; i < me + d + 1; ++i)
      send.push_back(1000 * me + 10 * d + i);
  }
  std::vector<int> got_counts;
  const std::vector<std::int64_t> got = comm.alltoallv(send, counts, &got_counts);
  std::vector<std::int64_t> want;
  for (int s = 0; s < p; ++s) {
    CHECK(got_counts[static_cast<std::size_t>(s)] == s + me + 1);
    for (int i = 0; i < s + me + 1; ++i)
      want.push_back(1000 * s + 10 * me + i);
  }
  CHECK(got == want);
  // Receive counts known beforehand (from a plan): the same elements, with
  // no count exchange.
  CHECK(comm.alltoallv(send, counts, got_counts) == want);

  // The same through point-to-point runs: two runs to each other rank, in order.
  struct Rec {
    std::int64_t from, seq;
  };
  std::vector<Rec> out(static_cast<std::size_t>(4 * p)), in(static_cast<std::size_t>(4 * p));
  std::vector<Run<Rec>> recvs;
  std::vector<Run<const Rec>> sends;
  for (int r = 0; r < p; ++r) {
    if (r == me)
      continue;
    Rec* o = out.data() + 4 * r;
    for (int i = 0; i < 4; ++i)
      o[i] = {me, 10 * r + i};
    sends.push_back({r, o, 1});
    sends.push_back({r, o + 1, 3});
    recvs.push_back({r, in.data() + 4 * r, 1});
    recvs.push_back({r, in.data() + 4 * r + 1, 3});
  }
  const auto check_runs = [&] {
    std::size_t wrong = 0;
    for (int r = 0; r < p; ++r) {
      for (int i = 0; r != me && i < 4; ++i) {
        const Rec& x = in[static_cast<std::size_t>(4 * r + i)];
        wrong += x.from != r || x.seq != 10 * me + i;
      }
    }
    return wrong;
  };
  comm.exchange_runs(recvs, sends, 77);
  CHECK(check_runs() == 0);
  // Sizes agreed by the caller: no collective check, the same delivery.
  std::fill(in.begin(), in.end(), Rec{-1, -1});
  comm.exchange_runs(recvs, sends, 78, /*sizes_agreed=*/true);
  CHECK(check_runs() == 0);
}

TEST_CASE("a count past 2^31 is refused on every rank before any transfer", "[comm]") {
  const Comm comm = Comm::world();
  const int p = comm.size(), me = comm.rank();
  if (p < 2)
    return;  // one int count cannot pass 2^31 - 1
  std::vector<int> counts(static_cast<std::size_t>(p), 0);
  // Rank 0 claims to send 2^31 - 1 elements to the last rank and the last
  // rank one more to itself: the last rank would receive 2^31.
  if (me == 0)
    counts.back() = 2147483647;
  if (me == p - 1)
    counts.back() += 1;
  CHECK_THROWS_AS(comm.alltoall_counts(counts), ParallelError);
}
