// Record exchange (include/tessera/core/exchange.hpp).
#include "tessera/core/exchange.hpp"

#include <fmt/format.h>

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

std::vector<std::string> gather_strings(const Comm& comm, const std::string& s, int root,
                                        std::int64_t max_total) {
  // Every rank learns every length (8 B a rank), so every rank sees a total
  // that MPI's int counts and displacements cannot hold and throws alike,
  // instead of one rank wrapping or aborting while the others wait.
  const std::vector<std::int64_t> lens64 = comm.allgather(static_cast<std::int64_t>(s.size()));
  std::int64_t total = 0;
  for (const std::int64_t n : lens64)
    total += n;
  if (total > max_total) {
    throw ParallelError(
        fmt::format("gathering {} bytes of text to rank {} exceeds the limit of {} "
                    "bytes of one MPI_Gatherv (int counts)",
                    total, root, max_total));
  }
  const int len = static_cast<int>(s.size());
  std::vector<int> lens;
  if (comm.rank() == root) {
    for (const std::int64_t n : lens64)
      lens.push_back(static_cast<int>(n));
  }
  const std::vector<int> displs = comm.rank() == root ? displacements(lens) : std::vector<int>{};
  std::string all;
  if (comm.rank() == root)
    all.resize(static_cast<std::size_t>(total));
  check_mpi(MPI_Gatherv(s.data(), len, MPI_CHAR, all.data(), lens.data(), displs.data(), MPI_CHAR,
                        root, comm.handle()),
            "MPI_Gatherv");
  std::vector<std::string> out;
  if (comm.rank() == root) {
    for (int r = 0; r < comm.size(); ++r)
      out.emplace_back(all.substr(static_cast<std::size_t>(displs[static_cast<std::size_t>(r)]),
                                  static_cast<std::size_t>(lens[static_cast<std::size_t>(r)])));
  }
  return out;
}

std::vector<std::int64_t> gather_counts(const Comm& comm, std::int64_t count,
                                        std::int64_t max_total, const std::string& what) {
  std::vector<std::int64_t> counts = comm.allgather(count);
  std::int64_t total = 0;
  for (const std::int64_t c : counts)
    total += c;
  // Every rank has every count, so every rank refuses alike.
  if (total > max_total) {
    throw ParallelError(
        fmt::format("{}: {} records to gather on one rank, more than {} (MPI's int "
                    "counts)",
                    what, total, max_total));
  }
  return counts;
}

void gatherv_records(const Comm& comm, const void* send, const std::vector<std::int64_t>& counts,
                     void* recv, std::size_t record_bytes, int root, const std::string& what) {
  const std::size_t p = counts.size();
  std::vector<int> rc(p);
  for (std::size_t r = 0; r < p; ++r)
    rc[r] = static_cast<int>(counts[r]);
  const std::vector<int> rd = displacements(rc);
  MPI_Datatype type;
  check_mpi(MPI_Type_contiguous(static_cast<int>(record_bytes), MPI_BYTE, &type),
            "MPI_Type_contiguous");
  check_mpi(MPI_Type_commit(&type), "MPI_Type_commit");
  const int rc_mpi = MPI_Gatherv(send, rc[static_cast<std::size_t>(comm.rank())], type, recv,
                                 rc.data(), rd.data(), type, root, comm.handle());
  MPI_Type_free(&type);
  check_mpi(rc_mpi, ("MPI_Gatherv (" + what + ")").c_str());
}

}  // namespace detail
}  // namespace tessera
