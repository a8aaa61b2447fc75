// main() of MPI test binaries (design README, "Catch2 under MPI"): initialise
// MPI, silence non-zero ranks' stdout (their failures still reach the
// exit code), run the tests on every rank, and agree on one exit code so
// mpiexec reports the same result whichever rank failed.
#define CATCH_CONFIG_RUNNER
#include <mpi.h>
#include <unistd.h>

#include <cstdio>

#include "support/catch.hpp"

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) {
    if (std::freopen("/dev/null", "w", stdout) == nullptr) {
      std::perror("freopen");
    }
  }
  int failed = Catch::Session().run(argc, argv);
  int worst = 0;
  MPI_Allreduce(&failed, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (rank != 0 && failed != 0) {
    std::fprintf(stderr, "rank %d: %d test assertion(s) failed\n", rank, failed);
  }
  MPI_Finalize();
  return worst == 0 ? 0 : 1;
}
