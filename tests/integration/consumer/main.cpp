// Uses tessera::core from an installed prefix: a rank sum through Comm and the
// displacement helper; prints one line the test checks.
#include <cstdio>
#include <vector>

#include "tessera/core/mpi.hpp"

int main(int argc, char** argv) {
  tessera::Runtime runtime(&argc, &argv);
  const auto world = tessera::Comm::world();
  const auto total = world.allreduce_sum(static_cast<std::int64_t>(world.rank() + 1));
  const auto displs = tessera::displacements({3, 1, 4});
  if (world.is_root())
    std::printf("consumer: %d ranks, rank sum %lld, displacements %d %d %d\n", world.size(),
                static_cast<long long>(total), displs[0], displs[1], displs[2]);
  return 0;
}
