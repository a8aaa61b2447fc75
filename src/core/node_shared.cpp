// See include/tessera/core/node_shared.hpp.
#include "tessera/core/node_shared.hpp"

#include <algorithm>

namespace tessera {

namespace {

Comm node_comm(const Comm& comm) {
  MPI_Comm node = MPI_COMM_NULL;
  check_mpi(
      MPI_Comm_split_type(comm.handle(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node),
      "MPI_Comm_split_type(SHARED)");
  return Comm(node, true);
}

}  // namespace

NodeSharedBuffer::NodeSharedBuffer(const Comm& comm, std::int64_t bytes)
    : comm_(comm), node_(node_comm(comm)), leaders_(MPI_COMM_NULL), bytes_(bytes) {
  // Keyed by the rank in `comm`: comm's rank 0 is the first rank of its node
  // and of the leaders.
  MPI_Comm leaders = MPI_COMM_NULL;
  check_mpi(
      MPI_Comm_split(comm.handle(), node_.is_root() ? 0 : MPI_UNDEFINED, comm.rank(), &leaders),
      "MPI_Comm_split(node leaders)");
  if (leaders != MPI_COMM_NULL)
    leaders_ = Comm(leaders, true);
  const auto mine = static_cast<MPI_Aint>(node_.is_root() ? std::max<std::int64_t>(bytes, 1) : 0);
  check_mpi(MPI_Win_allocate_shared(mine, 1, MPI_INFO_NULL, node_.handle(), &base_, &win_),
            "MPI_Win_allocate_shared");
  if (!node_.is_root()) {
    MPI_Aint size = 0;
    int unit = 0;
    check_mpi(MPI_Win_shared_query(win_, 0, &size, &unit, &base_), "MPI_Win_shared_query");
  }
}

NodeSharedBuffer::~NodeSharedBuffer() {
  if (win_ != MPI_WIN_NULL)
    MPI_Win_free(&win_);
}

void NodeSharedBuffer::share_from_root() {
  if (leaders_.handle() != MPI_COMM_NULL) {
    constexpr std::int64_t kPiece = std::int64_t{1} << 30;
    auto* p = static_cast<char*>(base_);
    for (std::int64_t off = 0; off < bytes_; off += kPiece) {
      const auto n = static_cast<int>(std::min(kPiece, bytes_ - off));
      check_mpi(MPI_Bcast(p + off, n, MPI_BYTE, 0, leaders_.handle()), "MPI_Bcast(node copy)");
    }
  }
  // The leader's stores must be visible to the node's other ranks before they
  // read: sync, barrier, sync inside a passive epoch (MPI 3.1 11.7 and
  // Example 11.21, the shared-memory idiom).
  check_mpi(MPI_Win_lock_all(MPI_MODE_NOCHECK, win_), "MPI_Win_lock_all");
  check_mpi(MPI_Win_sync(win_), "MPI_Win_sync");
  node_.barrier();
  check_mpi(MPI_Win_sync(win_), "MPI_Win_sync");
  check_mpi(MPI_Win_unlock_all(win_), "MPI_Win_unlock_all");
}

}  // namespace tessera
