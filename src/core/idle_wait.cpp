// See include/tessera/core/idle_wait.hpp.
#include "tessera/core/idle_wait.hpp"

#include <ctime>

namespace tessera {

void idle_barrier(const Comm& comm, std::chrono::microseconds poll) {
  if (comm.size() == 1)
    return;
  MPI_Request request = MPI_REQUEST_NULL;
  check_mpi(MPI_Ibarrier(comm.handle(), &request), "MPI_Ibarrier");
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(poll).count();
  const timespec pause{static_cast<std::time_t>(ns / 1000000000),
                       static_cast<long>(ns % 1000000000)};
  for (;;) {
    int done = 0;
    check_mpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (done != 0)
      return;
    // An interrupted sleep only tests again sooner.
    nanosleep(&pause, nullptr);
  }
}

}  // namespace tessera
