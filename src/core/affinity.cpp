// CPU affinity checks (include/tessera/core/affinity.hpp).
#include "tessera/core/affinity.hpp"

#include <sched.h>

#include <algorithm>
#include <cstring>

#include "tessera/core/log.hpp"

namespace tessera {

int affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0)
    return 0;
  return CPU_COUNT(&set);
}

void warn_if_threads_exceed_cpus(const Comm& comm, int threads) {
  const int mine = affinity_cpus();
  // An unknown mask (0) never warns.
  const double fewest = comm.allreduce_min(mine > 0 ? mine : threads);
  if (comm.is_root() && threads > fewest) {
    log::warn(
        "{} OpenMP threads per rank, but a rank may run on only {} CPU(s) (its affinity mask): "
        "the threads will share them. Launch with `mpiexec --bind-to none` or `--map-by "
        "slot:PE={}` (Open MPI), or `srun --cpus-per-task={}` (Slurm), or use fewer --threads.",
        threads, static_cast<int>(fewest), threads, threads);
  }
}

RootNodeCpus::RootNodeCpus(const Comm& comm, int threads_per_rank) {
  if (comm.size() == 1) {
    threads_ = std::max(1, threads_per_rank);
    return;  // nothing to lend: the rank's own mask already holds its threads
  }
  MPI_Comm node_handle = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split_type(comm.handle(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL,
                                &node_handle),
            "MPI_Comm_split_type");
  const Comm node(node_handle, true);
  // Keyed by rank, so rank 0 is rank 0 of its node's communicator.
  cpu_set_t mine;
  CPU_ZERO(&mine);
  const bool known = sched_getaffinity(0, sizeof(mine), &mine) == 0;
  // Each node's leader (node rank 0) is the root of its node's gather, so
  // every leader needs the receive buffer (only rank 0's result is used).
  std::vector<cpu_set_t> all(node.rank() == 0 ? static_cast<std::size_t>(node.size()) : 0);
  check_mpi(MPI_Gather(&mine, sizeof(mine), MPI_BYTE, all.data(), sizeof(mine), MPI_BYTE, 0,
                       node.handle()),
            "MPI_Gather");
  if (!comm.is_root())
    return;
  const int wanted = std::max(1, node.size() * std::max(1, threads_per_rank));
  threads_ = std::max(1, threads_per_rank);  // unless the mask can be widened
  if (!known)
    return;  // an unknown mask is left alone
  cpu_set_t wide;
  CPU_ZERO(&wide);
  for (cpu_set_t& s : all)
    CPU_OR(&wide, &wide, &s);
  saved_.resize(sizeof(mine));
  std::memcpy(saved_.data(), &mine, sizeof(mine));
  widened_ = sched_setaffinity(0, sizeof(wide), &wide) == 0;
  // No more threads than the cores they may run on.
  if (widened_)
    threads_ = std::max(1, std::min(wanted, CPU_COUNT(&wide)));
}

RootNodeCpus::~RootNodeCpus() {
  if (!widened_)
    return;
  cpu_set_t mine;
  std::memcpy(&mine, saved_.data(), sizeof(mine));
  sched_setaffinity(0, sizeof(mine), &mine);
}

}  // namespace tessera
