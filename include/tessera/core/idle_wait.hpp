// Waiting for other ranks without taking a core from them.
//
// Open MPI's blocking calls (MPI_Barrier, MPI_Allreduce, ...) busy-poll: a
// rank waiting there keeps its core at 100 %. When one rank works alone
// (e.g. rank 0 writing a file, possibly with OpenMP threads or the I/O
// threads of a library), the waiting ranks would take cores that work could
// use, or that other jobs on a shared node could. idle_barrier
// waits in MPI_Ibarrier + MPI_Test with a short sleep between tests, so the
// core is free at the cost of up to one sleep period of latency.
#pragma once

#include <chrono>

#include "tessera/core/mpi.hpp"

namespace tessera {

/// Collective: a barrier over `comm` that sleeps `poll` between tests of its
/// completion instead of spinning. A no-op on one rank.
void idle_barrier(const Comm& comm,
                  std::chrono::microseconds poll = std::chrono::microseconds(200));

}  // namespace tessera
