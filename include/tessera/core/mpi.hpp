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
#include <iterator>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace tessera {

/// Throws ParallelError naming `what` when `rc` is not MPI_SUCCESS.
void check_mpi(int rc, const char* what);

/// Displacements for MPI's v-collectives (Gatherv, Alltoallv): the exclusive
/// prefix sum of `counts`, computed after the counts are complete. (A loop
/// that fills counts and sums the previous ones in the same pass is
/// miscompiled by GCC 12.2 at -O3: cmake/TesseraCompilerChecks.cmake.)
std::vector<int> displacements(const std::vector<int>& counts);

/// Reduction operators of the typed collectives (Comm::allreduce).
enum class ReduceOp { sum, min, max };

namespace detail {
/// The MPI datatype of an arithmetic T; other trivially copyable types
/// travel as bytes (mpi_bytes).
template <class T>
MPI_Datatype mpi_type() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, double>)
    return MPI_DOUBLE;
  else if constexpr (std::is_same_v<U, float>)
    return MPI_FLOAT;
  else if constexpr (std::is_same_v<U, std::int64_t>)
    return MPI_INT64_T;
  else if constexpr (std::is_same_v<U, std::uint64_t>)
    return MPI_UINT64_T;
  else if constexpr (std::is_same_v<U, std::int32_t>)
    return MPI_INT32_T;
  else if constexpr (std::is_same_v<U, std::uint32_t>)
    return MPI_UINT32_T;
  else if constexpr (std::is_same_v<U, std::uint8_t>)
    return MPI_UINT8_T;
  else
    static_assert(sizeof(U) == 0, "no MPI datatype for this type");
}
MPI_Op mpi_op(ReduceOp op);
/// `n` as an MPI count, or ParallelError naming `what` (MPI counts are int).
int mpi_count(std::size_t n, const char* what);
}  // namespace detail

/// One message of Comm::exchange_runs: `count` elements at `data`, to or
/// from rank `peer`.
template <class T>
struct Run {
  int peer = 0;
  T* data = nullptr;
  std::size_t count = 0;
};

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

  // Typed collectives over spans and vectors: the pipelines hold no raw MPI
  // (ADIOS2's helper::Comm is the model). Element counts are MPI ints:
  // a count or displacement past 2^31 throws ParallelError (or, found on
  // one rank only inside a v-collective, ends the job: displacements()).

  // `data`/`local`: any contiguous range (std::vector, std::array, a
  // C array, std::span); the element type gives the MPI datatype. (No
  // std::span in the signatures: a few TUs build as C++17, casacore's.)

  /// In place over every rank, element by element.
  template <class R>
  void allreduce(R&& data, ReduceOp op) const {
    using T = std::remove_pointer_t<decltype(std::data(data))>;
    allreduce_raw(std::data(data), detail::mpi_count(std::size(data), "MPI_Allreduce"),
                  detail::mpi_type<T>(), op);
  }
  /// Per element, the rank holding the largest value (ties: the lowest
  /// rank, MPI_MAXLOC's rule).
  std::vector<int> allreduce_argmax(const std::vector<std::int64_t>& values) const;
  /// The sum of `v` over the lower ranks (0 on rank 0).
  std::int64_t exscan_sum(std::int64_t v) const;
  /// Every rank's `local`, concatenated in rank order, on `root` (empty elsewhere).
  template <class R, class T = std::remove_cv_t<
                         std::remove_pointer_t<decltype(std::data(std::declval<const R&>()))>>>
  std::vector<T> gatherv(const R& local, int root = 0) const {
    const std::vector<int> counts = agreed_counts(std::size(local), "MPI_Gatherv");
    std::vector<T> out;
    if (rank_ == root)
      out.resize(total_of(counts));
    gatherv_raw(std::data(local), static_cast<int>(std::size(local)), out.data(), counts,
                detail::mpi_type<T>(), root);
    return out;
  }
  /// Every rank's `local`, concatenated in rank order, on every rank.
  template <class R, class T = std::remove_cv_t<
                         std::remove_pointer_t<decltype(std::data(std::declval<const R&>()))>>>
  std::vector<T> allgatherv(const R& local) const {
    const std::vector<int> counts = agreed_counts(std::size(local), "MPI_Allgatherv");
    std::vector<T> out(total_of(counts));
    allgatherv_raw(std::data(local), out.data(), counts, detail::mpi_type<T>());
    return out;
  }
  /// MPI_Alltoallv: `send` holds send_counts[r] elements for each rank r in
  /// rank order; returns what every rank sent here, in rank order, with
  /// recv_counts (if given) set to the elements from each rank.
  template <class R, class T = std::remove_cv_t<
                         std::remove_pointer_t<decltype(std::data(std::declval<const R&>()))>>>
  std::vector<T> alltoallv(const R& send, const std::vector<int>& send_counts,
                           std::vector<int>* recv_counts = nullptr) const {
    std::vector<int> rc = alltoall_counts(send_counts);
    std::vector<T> out(total_of(rc));
    alltoallv_raw(std::data(send), send_counts, out.data(), rc, detail::mpi_type<T>());
    if (recv_counts != nullptr)
      *recv_counts = std::move(rc);
    return out;
  }
  /// MPI_Alltoallv with the receive counts already known (from a plan every
  /// rank holds): no count exchange before it. The caller has established
  /// on every rank alike that no rank's totals pass 2^31 elements.
  template <class R, class T = std::remove_cv_t<
                         std::remove_pointer_t<decltype(std::data(std::declval<const R&>()))>>>
  std::vector<T> alltoallv(const R& send, const std::vector<int>& send_counts,
                           const std::vector<int>& recv_counts) const {
    std::vector<T> out(total_of(recv_counts));
    alltoallv_raw(std::data(send), send_counts, out.data(), recv_counts, detail::mpi_type<T>());
    return out;
  }
  /// MPI_Alltoall of one count per rank: what each rank sends here.
  /// Throws ParallelError on every rank when a rank's total would pass 2^31.
  std::vector<int> alltoall_counts(const std::vector<int>& send) const;
  /// Point-to-point runs of trivially copyable T (sent as bytes): every
  /// receive posted, then every send, then all awaited. Runs between a pair
  /// of ranks are matched in the order given (MPI's non-overtaking rule on
  /// one tag), so both sides list them in the same order.
  /// `sizes_agreed`: the caller has established on every rank alike that
  /// no run passes 2^31 elements (e.g. through its own count exchange), so
  /// the check's collective is skipped.
  template <class T>
  void exchange_runs(const std::vector<Run<T>>& recvs, const std::vector<Run<const T>>& sends,
                     int tag, bool sizes_agreed = false) const {
    static_assert(std::is_trivially_copyable_v<T>);
    std::vector<Run<void>> r;
    std::vector<Run<const void>> s;
    r.reserve(recvs.size());
    s.reserve(sends.size());
    for (const auto& x : recvs)
      r.push_back({x.peer, x.data, x.count});
    for (const auto& x : sends)
      s.push_back({x.peer, x.data, x.count});
    exchange_runs_raw(r, s, sizeof(T), tag, sizes_agreed);
  }

 private:
  void allreduce_raw(void* data, int n, MPI_Datatype type, ReduceOp op) const;
  /// Every rank's `n` on every rank; ParallelError on every rank naming
  /// `what` when one of them, or their total, passes 2^31.
  std::vector<int> agreed_counts(std::size_t n, const char* what) const;
  static std::size_t total_of(const std::vector<int>& counts);
  void gatherv_raw(const void* send, int n, void* recv, const std::vector<int>& counts,
                   MPI_Datatype type, int root) const;
  void allgatherv_raw(const void* send, void* recv, const std::vector<int>& counts,
                      MPI_Datatype type) const;
  void alltoallv_raw(const void* send, const std::vector<int>& send_counts, void* recv,
                     const std::vector<int>& recv_counts, MPI_Datatype type) const;
  void exchange_runs_raw(const std::vector<Run<void>>& recvs,
                         const std::vector<Run<const void>>& sends, std::size_t elem_size, int tag,
                         bool sizes_agreed) const;

  void free() noexcept;
  MPI_Comm handle_ = MPI_COMM_NULL;
  bool owned_ = false;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace tessera
