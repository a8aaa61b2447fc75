// CPU affinity checks (include/tessera/core/affinity.hpp).
#include "tessera/core/affinity.hpp"

#include <omp.h>
#include <sched.h>

#include "tessera/core/log.hpp"

namespace tessera {

int affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0)
    return 0;
  return CPU_COUNT(&set);
}

int team_affinity_cpus(int threads) {
  // With OMP_PROC_BIND/OMP_PLACES set, the runtime binds the initial thread to
  // its first place, so the main thread's own mask can show one CPU while the
  // team spreads over several. The CPUs the rank's threads can reach are the
  // union of the team members' masks.
  cpu_set_t all;
  CPU_ZERO(&all);
  bool known = true;
#pragma omp parallel num_threads(threads > 0 ? threads : 1)
  {
    cpu_set_t mine;
    CPU_ZERO(&mine);
    const bool ok = sched_getaffinity(0, sizeof(mine), &mine) == 0;
#pragma omp critical(tessera_affinity)
    {
      if (ok)
        CPU_OR(&all, &all, &mine);
      else
        known = false;
    }
  }
  return known ? CPU_COUNT(&all) : 0;
}

void warn_if_threads_exceed_cpus(const Comm& comm, int threads) {
  const int mine = team_affinity_cpus(threads);
  // An unknown mask (0) never warns.
  const double fewest = comm.allreduce_min(mine > 0 ? mine : threads);
  if (comm.is_root() && threads > fewest) {
    log::warn(
        "{} OpenMP threads per rank, but a rank's threads may run on only {} CPU(s) (their "
        "affinity masks): the threads will share them. Launch with `mpiexec --bind-to none` or "
        "`--map-by slot:PE={}` (Open MPI), or `srun --cpus-per-task={}` (Slurm), or use fewer "
        "--threads.",
        threads, static_cast<int>(fewest), threads, threads);
  }
}

}  // namespace tessera
