// See las_stats_reduce.hpp.
#include "las_stats_reduce.hpp"

#include <vector>

namespace tessera::tiles::detail {

void allreduce_i64(const Comm& comm, std::int64_t* data, int n, MPI_Op op) {
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, data, n, MPI_INT64_T, op, comm.handle()), "MPI_Allreduce");
}

io::LasRecordStats reduce_las_stats(const Comm& comm, const io::LasRecordStats& local) {
  std::vector<std::int64_t> sums(16);
  sums[0] = static_cast<std::int64_t>(local.count);
  for (int i = 0; i < 15; ++i)
    sums[1 + i] = static_cast<std::int64_t>(local.by_return[i]);
  std::int64_t mins[3], maxs[3];
  for (int i = 0; i < 3; ++i) {
    mins[i] = local.min_raw[i];
    maxs[i] = local.max_raw[i];
  }
  allreduce_i64(comm, sums.data(), 16, MPI_SUM);
  allreduce_i64(comm, mins, 3, MPI_MIN);
  allreduce_i64(comm, maxs, 3, MPI_MAX);
  io::LasRecordStats out;
  out.count = static_cast<std::uint64_t>(sums[0]);
  for (int i = 0; i < 15; ++i)
    out.by_return[i] = static_cast<std::uint64_t>(sums[1 + i]);
  for (int i = 0; i < 3; ++i) {
    out.min_raw[i] = static_cast<std::int32_t>(mins[i]);
    out.max_raw[i] = static_cast<std::int32_t>(maxs[i]);
  }
  return out;
}

}  // namespace tessera::tiles::detail
