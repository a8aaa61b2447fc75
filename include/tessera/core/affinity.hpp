// CPU affinity of a rank against its OpenMP thread count.
//
// Launchers pin ranks: Open MPI binds each rank to one core when there are at
// most two ranks (and to a socket above that), Slurm to --cpus-per-task CPUs.
// OpenMP threads inherit the mask, so four threads in a rank pinned to one
// core take turns on it: the run is correct and silently several times
// slower. Tessera says so at start-up rather than leave it to be found in a
// scaling plot.
#pragma once

#include "tessera/core/mpi.hpp"

namespace tessera {

/// CPUs the calling thread may run on (sched_getaffinity); 0 when unknown.
int affinity_cpus();

/// CPUs reachable by a team of `threads` OpenMP threads: the union of their
/// masks, which differs from the main thread's own when OMP_PROC_BIND binds
/// each thread to a place. 0 when unknown.
int team_affinity_cpus(int threads);

/// Collective. Warns on rank 0 when `threads` exceeds the CPUs of the most
/// tightly bound rank, naming the launcher options that fix it.
void warn_if_threads_exceed_cpus(const Comm& comm, int threads);

}  // namespace tessera
