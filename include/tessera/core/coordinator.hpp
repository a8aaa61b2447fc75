// The rank-0 coordinator: plans work items and hands them to ranks.
//
// Rank 0 builds the plan (items with a cost estimate), sorts it by decreasing
// cost and broadcasts it. Items are then claimed either
//   - dynamically: every rank, rank 0 included, takes the next index from an
//     atomic counter hosted on rank 0 (MPI_Win_allocate + MPI_Fetch_and_op,
//     passive target), so fast ranks take more items; or
//   - statically: each rank runs the items an LPT plan gives it (when costs
//     are known well, and no communication is wanted during the step).
// Because the plan is sorted by decreasing cost, dynamic claiming is itself
// an online LPT: the big items go first, the small ones fill the gaps.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tessera/core/mpi.hpp"

namespace tessera {

/// One unit of work: an id meaningful to the pipeline (pixel, tile, group
/// index) and a cost estimate in arbitrary units.
struct WorkItem {
  std::int64_t id = 0;
  double cost = 1.0;
};

/// A shared atomic counter on rank 0 of `comm`. Collective to create and
/// destroy. next() is called by one thread per rank.
class WorkCounter {
 public:
  explicit WorkCounter(const Comm& comm);
  ~WorkCounter();
  WorkCounter(const WorkCounter&) = delete;
  WorkCounter& operator=(const WorkCounter&) = delete;

  /// Atomically returns the current value and adds one.
  std::int64_t next();

 private:
  MPI_Win win_ = MPI_WIN_NULL;
  std::int64_t* base_ = nullptr;
};

/// What a rank did during a distributed loop.
struct ClaimStats {
  std::int64_t items = 0;      ///< items this rank ran
  std::int64_t claims = 0;     ///< counter operations (items + the final miss)
  double claim_seconds = 0.0;  ///< time spent in the counter
};

class Coordinator {
 public:
  explicit Coordinator(const Comm& comm) : comm_(comm) {}

  /// Collective. Rank 0's `items` are sorted by decreasing cost (stable, ties
  /// by id) and broadcast; other ranks' input is ignored. Returns the plan.
  std::vector<WorkItem> share_plan(std::vector<WorkItem> items) const;

  /// Collective. Every rank claims items from the shared counter until the
  /// plan is exhausted and calls `work(item)` on each. `on_claim(index)` runs
  /// after each successful claim (rank 0 uses it for progress: the claimed
  /// index is the number of items started anywhere). Exceptions from `work`
  /// must not escape (the counter is collective): callers record per-item
  /// failures in a FailureLog; anything that does escape is rethrown after
  /// the collective clean-up, through check_collective.
  ClaimStats run_dynamic(const std::vector<WorkItem>& plan,
                         const std::function<void(const WorkItem&)>& work,
                         const std::function<void(std::int64_t)>& on_claim = {}) const;

  /// Collective-free. The items that an LPT plan over the plan's costs gives
  /// to this rank, in plan order.
  std::vector<WorkItem> static_share(const std::vector<WorkItem>& plan) const;

 private:
  const Comm& comm_;
};

}  // namespace tessera
