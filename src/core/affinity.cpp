// CPU affinity checks (include/tessera/core/affinity.hpp).
#include "tessera/core/affinity.hpp"

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

}  // namespace tessera
