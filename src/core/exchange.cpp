// Record exchange (include/tessera/core/exchange.hpp).
#include "tessera/core/exchange.hpp"

#include <climits>

#include "tessera/core/error.hpp"

namespace tessera {

std::vector<std::int64_t> send_offsets(const std::vector<std::int64_t>& counts) {
  std::vector<std::int64_t> off(counts.size() + 1, 0);
  for (std::size_t r = 0; r < counts.size(); ++r)
    off[r + 1] = off[r] + counts[r];
  return off;
}

namespace detail {

std::vector<std::int64_t> exchange_counts(const Comm& comm,
                                          const std::vector<std::int64_t>& send_counts,
                                          const std::string& what) {
  std::vector<std::int64_t> recv_counts(send_counts.size(), 0);
  check_mpi(MPI_Alltoall(send_counts.data(), 1, MPI_INT64_T, recv_counts.data(), 1, MPI_INT64_T,
                         comm.handle()),
            "MPI_Alltoall");
  std::int64_t send_total = 0, recv_total = 0;
  for (std::size_t r = 0; r < send_counts.size(); ++r) {
    send_total += send_counts[r];
    recv_total += recv_counts[r];
  }
  // MPI counts and displacements are ints; agreed on every rank.
  if (comm.allreduce_or(send_total > INT_MAX || recv_total > INT_MAX))
    throw ParallelError(what + ": more than 2^31 records on one rank; use more ranks");
  return recv_counts;
}

void alltoallv_records(const Comm& comm, const void* send,
                       const std::vector<std::int64_t>& send_counts, void* recv,
                       const std::vector<std::int64_t>& recv_counts, std::size_t record_bytes,
                       const std::string& what) {
  // Counts first, then their displacements in a pass of their own: the
  // fused loop (fill count r, sum counts r-1) was the one GCC 12.2 -O3
  // miscompiled into all-zero receive displacements (issue 14).
  const std::size_t p = send_counts.size();
  std::vector<int> sc(p), rc(p);
  for (std::size_t r = 0; r < p; ++r) {
    sc[r] = static_cast<int>(send_counts[r]);
    rc[r] = static_cast<int>(recv_counts[r]);
  }
  const std::vector<int> sd = displacements(sc);
  const std::vector<int> rd = displacements(rc);
  MPI_Datatype type;
  check_mpi(MPI_Type_contiguous(static_cast<int>(record_bytes), MPI_BYTE, &type),
            "MPI_Type_contiguous");
  check_mpi(MPI_Type_commit(&type), "MPI_Type_commit");
  const int rc_mpi = MPI_Alltoallv(send, sc.data(), sd.data(), type, recv, rc.data(), rd.data(),
                                   type, comm.handle());
  MPI_Type_free(&type);
  check_mpi(rc_mpi, ("MPI_Alltoallv (" + what + ")").c_str());
}

}  // namespace detail
}  // namespace tessera
