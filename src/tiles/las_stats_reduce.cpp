// See las_stats_reduce.hpp.
#include "las_stats_reduce.hpp"

#include <vector>

namespace tessera::tiles::detail {

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
  comm.allreduce(sums, ReduceOp::sum);
  comm.allreduce(mins, ReduceOp::min);
  comm.allreduce(maxs, ReduceOp::max);
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
