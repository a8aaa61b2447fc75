// MPI runtime and communicator wrapper.
//
// Tessera initialises MPI with MPI_THREAD_FUNNELED: OpenMP threads compute
// inside a rank, only the main thread calls MPI. `Runtime` is created once in
// main(); `Comm` wraps a communicator, owning it when it came from a split.
// Every MPI call goes through check_mpi(), which turns an error code into a
// ParallelError naming the call (MPI_ERRORS_RETURN is set on every comm).
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

/// Throws ParallelError naming `what` when `rc` is not MPI_SUCCESS.
void check_mpi(int rc, const char* what);

/// Displacements for MPI's v-collectives (Gatherv, Alltoallv): the exclusive
/// prefix sum of `counts`, computed after the counts are complete. (A loop
/// that fills counts and sums the previous ones in the same pass is
/// miscompiled by GCC 12.2 at -O3: cmake/TesseraCompilerChecks.cmake.)
std::vector<int> displacements(const std::vector<int>& counts);

/// RAII for MPI_Init_thread(FUNNELED) / MPI_Finalize. If MPI is already
/// initialised (tests with their own main), it neither inits nor finalizes.
class Runtime {
 public:
  Runtime(int* argc, char*** argv);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// "Open MPI v4.1.4, ..." from MPI_Get_library_version (first line).
  static std::string library_version();

 private:
  bool owns_ = false;
};

/// A communicator. Copying a Comm that owns its handle is not allowed; move it.
class Comm {
 public:
  /// MPI_COMM_WORLD, not owned.
  static Comm world();
  /// Wraps a handle; `owned` handles are freed in the destructor.
  explicit Comm(MPI_Comm handle, bool owned = false);
  ~Comm();
  Comm(Comm&& other) noexcept;
  Comm& operator=(Comm&& other) noexcept;
  Comm(const Comm&) = delete;
  Comm& operator=(const Comm&) = delete;

  MPI_Comm handle() const noexcept { return handle_; }
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  bool is_root() const noexcept { return rank_ == 0; }

  /// Sub-communicator of the ranks with the same colour, ordered by key.
  Comm split(int color, int key) const;
  /// Groups of `group_size` consecutive ranks (the last may be smaller):
  /// e.g. 16 ranks per DSA-110 group on 256 ranks.
  Comm split_into_groups(int group_size) const;

  void barrier() const;

  // Small typed collectives used throughout the pipelines.
  double allreduce_sum(double v) const;
  double allreduce_max(double v) const;
  double allreduce_min(double v) const;
  std::int64_t allreduce_sum(std::int64_t v) const;
  std::int64_t allreduce_max(std::int64_t v) const;
  bool allreduce_or(bool v) const;
  std::vector<double> gather(double v, int root = 0) const;
  std::vector<std::int64_t> gather(std::int64_t v, int root = 0) const;
  std::vector<std::int64_t> allgather(std::int64_t v) const;
  /// Gathers a string from every rank to `root` (empty vector elsewhere).
  std::vector<std::string> gather_strings(const std::string& s, int root = 0) const;
  void bcast(std::string& s, int root = 0) const;
  void bcast(std::vector<std::int64_t>& v, int root = 0) const;
  void bcast(std::vector<double>& v, int root = 0) const;
  void bcast(std::int64_t& v, int root = 0) const;

  /// Point-to-point, for one writer fed by the other ranks in turn (the
  /// Measurement Set of a subband group): `bytes` may exceed 2^31, the
  /// message goes in pieces of at most 1 GiB. Both sides give the same size.
  void send_bytes(const void* data, std::size_t bytes, int dest, int tag) const;
  void recv_bytes(void* data, std::size_t bytes, int source, int tag) const;

 private:
  void free() noexcept;
  MPI_Comm handle_ = MPI_COMM_NULL;
  bool owned_ = false;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace tessera
