// One copy of a read-only array per node instead of one per rank.
//
// A buffer in an MPI-3 shared-memory window (MPI_Win_allocate_shared on the
// ranks of one node, MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)): the node's
// first rank allocates it, the others map the same pages. share_from_root()
// fills every node's copy from rank 0's: rank 0 fills its node's buffer, the
// first ranks of the nodes pass it on with MPI_Bcast, and each node's ranks
// then see it. For inputs every rank needs whole (the raster landform: 100 MB
// at 5000 x 5000, 12.8 GB a node at 128 ranks a node when every rank read
// its own).
#pragma once

#include <mpi.h>

#include <cstdint>

#include "tessera/core/mpi.hpp"

namespace tessera {

class NodeSharedBuffer {
 public:
  /// Collective over `comm`: a buffer of `bytes` on each node.
  NodeSharedBuffer(const Comm& comm, std::int64_t bytes);
  /// Collective (MPI_Win_free): every rank destroys it at the same point.
  ~NodeSharedBuffer();
  NodeSharedBuffer(const NodeSharedBuffer&) = delete;
  NodeSharedBuffer& operator=(const NodeSharedBuffer&) = delete;

  /// The node's copy; written only by the rank that fills it.
  void* data() const noexcept { return base_; }
  std::int64_t bytes() const noexcept { return bytes_; }

  /// Collective: after rank 0 of `comm` has filled data(), gives every node
  /// the same bytes. Sent in pieces of at most 1 GiB (int counts).
  void share_from_root();

 private:
  const Comm& comm_;
  Comm node_;     ///< the ranks of this node
  Comm leaders_;  ///< the first rank of every node (MPI_COMM_NULL elsewhere)
  MPI_Win win_ = MPI_WIN_NULL;
  void* base_ = nullptr;
  std::int64_t bytes_ = 0;
};

}  // namespace tessera
