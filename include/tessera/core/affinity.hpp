// CPU affinity of a rank against its OpenMP thread count.
//
// Launchers pin ranks: Open MPI binds each rank to one core when there are at
// most two ranks (and to a socket above that), Slurm to --cpus-per-task CPUs.
// OpenMP threads inherit the mask, so four threads in a rank pinned to one
// core take turns on it: the run is correct and silently several times
// slower. Tessera says so at start-up rather than leave it to be found in a
// scaling plot.
#pragma once

#include <vector>

#include "tessera/core/mpi.hpp"

namespace tessera {

/// CPUs this process may run on (sched_getaffinity); 0 when unknown.
int affinity_cpus();

/// Collective. Warns on rank 0 when `threads` exceeds the CPUs of the most
/// tightly bound rank, naming the launcher options that fix it.
void warn_if_threads_exceed_cpus(const Comm& comm, int threads);

/// Lends rank 0 the cores of the ranks on its node while they wait, for a
/// step rank 0 does alone with threads (the DoD GeoTIFF's compression).
/// Collective over `comm` (MPI_Comm_split_type MPI_COMM_TYPE_SHARED): on
/// rank 0, threads() is the ranks on its node x `threads_per_rank` (at least
/// 1), and while the object lives rank 0's calling thread may run on the
/// union of those ranks' affinity masks, which threads it starts meanwhile
/// inherit (launchers bind each rank to its own core: without this, the
/// threads would all share rank 0's). The destructor restores the calling
/// thread's mask. The other ranks should wait without spinning
/// (idle_barrier, PhaseWait::kIdle), or they compete for those cores.
class RootNodeCpus {
 public:
  RootNodeCpus(const Comm& comm, int threads_per_rank);
  ~RootNodeCpus();
  RootNodeCpus(const RootNodeCpus&) = delete;
  RootNodeCpus& operator=(const RootNodeCpus&) = delete;

  /// On rank 0: threads to use (>= 1); 1 on the other ranks.
  int threads() const noexcept { return threads_; }

 private:
  int threads_ = 1;
  bool widened_ = false;
  std::vector<unsigned char> saved_;  ///< rank 0's own mask (a cpu_set_t)
};

}  // namespace tessera
