#include "tessera/core/coordinator.hpp"

#include <algorithm>
#include <exception>

#include "tessera/core/collective.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"

namespace tessera {

WorkCounter::WorkCounter(const Comm& comm) {
  // Only rank 0 hosts memory; the window spans the communicator so every rank
  // can reach it with passive-target atomics.
  const MPI_Aint bytes = comm.is_root() ? static_cast<MPI_Aint>(sizeof(std::int64_t)) : 0;
  check_mpi(
      MPI_Win_allocate(bytes, sizeof(std::int64_t), MPI_INFO_NULL, comm.handle(), &base_, &win_),
      "MPI_Win_allocate(work counter)");
  if (comm.is_root())
    *base_ = 0;
  // The initial value must be visible before anyone claims.
  check_mpi(MPI_Barrier(comm.handle()), "MPI_Barrier(work counter)");
  check_mpi(MPI_Win_lock_all(MPI_MODE_NOCHECK, win_), "MPI_Win_lock_all");
}

WorkCounter::~WorkCounter() {
  if (win_ == MPI_WIN_NULL)
    return;
  MPI_Win_unlock_all(win_);
  MPI_Win_free(&win_);
}

std::int64_t WorkCounter::next() {
  const std::int64_t one = 1;
  std::int64_t old = 0;
  check_mpi(MPI_Fetch_and_op(&one, &old, MPI_INT64_T, 0, 0, MPI_SUM, win_), "MPI_Fetch_and_op");
  check_mpi(MPI_Win_flush(0, win_), "MPI_Win_flush");
  return old;
}

std::vector<WorkItem> Coordinator::share_plan(std::vector<WorkItem> items) const {
  std::vector<std::int64_t> ids;
  std::vector<double> costs;
  if (comm_.is_root()) {
    std::stable_sort(items.begin(), items.end(), [](const WorkItem& a, const WorkItem& b) {
      if (a.cost != b.cost)
        return a.cost > b.cost;
      return a.id < b.id;
    });
    for (const auto& it : items) {
      ids.push_back(it.id);
      costs.push_back(it.cost);
    }
  }
  comm_.bcast(ids, 0);
  comm_.bcast(costs, 0);
  std::vector<WorkItem> plan(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i)
    plan[i] = {ids[i], costs[i]};
  return plan;
}

ClaimStats Coordinator::run_dynamic(const std::vector<WorkItem>& plan,
                                    const std::function<void(const WorkItem&)>& work,
                                    const std::function<void(std::int64_t)>& on_claim) const {
  ClaimStats stats;
  std::exception_ptr failure;
  {
    WorkCounter counter(comm_);
    const auto n = static_cast<std::int64_t>(plan.size());
    while (!failure) {
      const double t0 = perf::now();
      const std::int64_t index = counter.next();
      stats.claim_seconds += perf::now() - t0;
      ++stats.claims;
      if (index >= n)
        break;
      if (on_claim)
        on_claim(index);
      try {
        work(plan[static_cast<std::size_t>(index)]);
      } catch (...) {
        // Stop claiming but still join the collective clean-up below, so the
        // other ranks are not left waiting in MPI_Win_free.
        failure = std::current_exception();
      }
      ++stats.items;
    }
  }
  check_collective(comm_, "dynamic work loop", failure);
  return stats;
}

std::vector<WorkItem> Coordinator::static_share(const std::vector<WorkItem>& plan) const {
  std::vector<double> weights;
  weights.reserve(plan.size());
  for (const auto& it : plan)
    weights.push_back(it.cost);
  const LptPlan lpt = lpt_plan(weights, comm_.size());
  std::vector<WorkItem> mine;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (lpt.owner[i] == comm_.rank())
      mine.push_back(plan[i]);
  }
  return mine;
}

}  // namespace tessera
