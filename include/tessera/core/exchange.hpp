// Moving records to their owners: the one MPI_Alltoallv of Tessera's steps
// (catalog rows to pixel owners, DoD cell samples to row-band owners), and
// gathering records to one rank (gather_records).
//
// The caller packs `send` grouped by destination rank (counts[r] records for
// rank r, in rank order) with `send_offsets`; exchange_records swaps the
// counts (MPI_Alltoall), checks on every rank that no count overflows MPI's
// int (so all ranks throw together rather than some waiting in the
// collective), and moves the records as one contiguous datatype. Received
// records come grouped by source rank, in rank order.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "tessera/core/mpi.hpp"

namespace tessera {

/// Prefix sums of `counts`: where each destination's block starts (size+1).
std::vector<std::int64_t> send_offsets(const std::vector<std::int64_t>& counts);

namespace detail {
/// Collective: receive counts per source rank; ParallelError naming `what`
/// on every rank if any send or receive total exceeds 2^31 - 1 records.
std::vector<std::int64_t> exchange_counts(const Comm& comm,
                                          const std::vector<std::int64_t>& send_counts,
                                          const std::string& what);
void alltoallv_records(const Comm& comm, const void* send,
                       const std::vector<std::int64_t>& send_counts, void* recv,
                       const std::vector<std::int64_t>& recv_counts, std::size_t record_bytes,
                       const std::string& what);
/// Collective: every rank's record count, on every rank; ParallelError
/// naming `what` on every rank if their sum exceeds `max_total` records.
std::vector<std::int64_t> gather_counts(const Comm& comm, std::int64_t count,
                                        std::int64_t max_total, const std::string& what);
/// Comm::gather_strings with the total limit as a parameter: it uses 2^31 - 1
/// bytes (MPI's int counts) and throws ParallelError on every rank past it;
/// tests pass a small limit.
std::vector<std::string> gather_strings(const Comm& comm, const std::string& s, int root,
                                        std::int64_t max_total);
void gatherv_records(const Comm& comm, const void* send, const std::vector<std::int64_t>& counts,
                     void* recv, std::size_t record_bytes, int root, const std::string& what);
}  // namespace detail

/// Collective. `send` holds send_counts[r] records for each rank r, in rank
/// order; returns the records sent to this rank, grouped by source rank.
template <typename T>
std::vector<T> exchange_records(const Comm& comm, const std::vector<T>& send,
                                const std::vector<std::int64_t>& send_counts,
                                const std::string& what) {
  static_assert(std::is_trivially_copyable_v<T>);
  const std::vector<std::int64_t> recv_counts = detail::exchange_counts(comm, send_counts, what);
  std::int64_t total = 0;
  for (std::int64_t c : recv_counts)
    total += c;
  std::vector<T> recv(static_cast<std::size_t>(total));
  detail::alltoallv_records(comm, send.data(), send_counts, recv.data(), recv_counts, sizeof(T),
                            what);
  return recv;
}

/// Collective: every rank's `records` on `root`, in rank order (empty
/// elsewhere). Records move as one contiguous datatype, so the byte total may
/// exceed 2 GiB; the record total is checked on every rank against MPI's int
/// counts (2^31 - 1, or `max_total` in tests) and refused alike everywhere.
template <typename T>
std::vector<T> gather_records(const Comm& comm, const std::vector<T>& records, int root,
                              const std::string& what,
                              std::int64_t max_total = std::int64_t{0x7fffffff}) {
  static_assert(std::is_trivially_copyable_v<T>);
  const std::vector<std::int64_t> counts =
      detail::gather_counts(comm, static_cast<std::int64_t>(records.size()), max_total, what);
  std::int64_t total = 0;
  for (std::int64_t c : counts)
    total += c;
  std::vector<T> all(comm.rank() == root ? static_cast<std::size_t>(total) : 0);
  detail::gatherv_records(comm, records.data(), counts, all.data(), sizeof(T), root, what);
  return all;
}

}  // namespace tessera
