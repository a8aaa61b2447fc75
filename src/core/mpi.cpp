#include "tessera/core/mpi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/exchange.hpp"

namespace tessera {

void check_mpi(int rc, const char* what) {
  if (rc == MPI_SUCCESS)
    return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw ParallelError(fmt::format("{} failed: {}", what, std::string(text, len)));
}

std::vector<int> displacements(const std::vector<int>& counts) {
  std::vector<int> displs(counts.size(), 0);
  std::int64_t sum = 0;
  for (std::size_t r = 1; r < counts.size(); ++r) {
    sum += counts[r - 1];
    // MPI's displacements are int: a total past 2^31 would wrap and deliver
    // data to the wrong place. Callers check their totals collectively first;
    // this is the last guard, and it is reached on one rank only, so it ends
    // the job (a throw here could leave the other ranks in the collective).
    if (sum > std::numeric_limits<int>::max())
      abort_job(fmt::format("more than 2^31 elements in one MPI v-collective ({} before rank {})",
                            sum, r),
                ExitCode::kFatalIo);
    displs[r] = static_cast<int>(sum);
  }
  return displs;
}

Runtime::Runtime(int* argc, char*** argv) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (initialised)
    return;
  int provided = 0;
  check_mpi(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  owns_ = true;
  // Errors come back as codes and become exceptions (check_mpi), instead of
  // aborting the job from inside the library without a message of ours.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  if (provided < MPI_THREAD_FUNNELED) {
    throw ParallelError("the MPI library does not provide MPI_THREAD_FUNNELED");
  }
}

Runtime::~Runtime() {
  if (!owns_)
    return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized)
    MPI_Finalize();
}

std::string Runtime::library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(text, &len);
  std::string s(text, len);
  auto nl = s.find_first_of("\n,");
  if (nl != std::string::npos)
    s.resize(nl);
  return s;
}

Comm Comm::world() {
  return Comm(MPI_COMM_WORLD, false);
}

Comm::Comm(MPI_Comm handle, bool owned) : handle_(handle), owned_(owned) {
  if (handle_ != MPI_COMM_NULL) {
    MPI_Comm_rank(handle_, &rank_);
    MPI_Comm_size(handle_, &size_);
  }
}

Comm::~Comm() {
  free();
}

Comm::Comm(Comm&& other) noexcept
    : handle_(other.handle_), owned_(other.owned_), rank_(other.rank_), size_(other.size_) {
  other.handle_ = MPI_COMM_NULL;
  other.owned_ = false;
}

Comm& Comm::operator=(Comm&& other) noexcept {
  if (this != &other) {
    free();
    handle_ = std::exchange(other.handle_, MPI_COMM_NULL);
    owned_ = std::exchange(other.owned_, false);
    rank_ = other.rank_;
    size_ = other.size_;
  }
  return *this;
}

void Comm::free() noexcept {
  if (owned_ && handle_ != MPI_COMM_NULL) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized)
      MPI_Comm_free(&handle_);
  }
  handle_ = MPI_COMM_NULL;
  owned_ = false;
}

Comm Comm::split(int color, int key) const {
  MPI_Comm out = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split(handle_, color, key, &out), "MPI_Comm_split");
  MPI_Comm_set_errhandler(out, MPI_ERRORS_RETURN);
  return Comm(out, true);
}

Comm Comm::split_into_groups(int group_size) const {
  if (group_size <= 0)
    throw UsageError(fmt::format("group size must be positive, got {}", group_size));
  return split(rank_ / group_size, rank_);
}

void Comm::barrier() const {
  check_mpi(MPI_Barrier(handle_), "MPI_Barrier");
}

namespace {
template <typename T>
T reduce_one(MPI_Comm comm, T v, MPI_Datatype type, MPI_Op op, const char* what) {
  T out{};
  check_mpi(MPI_Allreduce(&v, &out, 1, type, op, comm), what);
  return out;
}
}  // namespace

double Comm::allreduce_sum(double v) const {
  return reduce_one(handle_, v, MPI_DOUBLE, MPI_SUM, "MPI_Allreduce(sum)");
}
double Comm::allreduce_max(double v) const {
  return reduce_one(handle_, v, MPI_DOUBLE, MPI_MAX, "MPI_Allreduce(max)");
}
double Comm::allreduce_min(double v) const {
  return reduce_one(handle_, v, MPI_DOUBLE, MPI_MIN, "MPI_Allreduce(min)");
}
std::int64_t Comm::allreduce_sum(std::int64_t v) const {
  return reduce_one(handle_, v, MPI_INT64_T, MPI_SUM, "MPI_Allreduce(sum)");
}
std::int64_t Comm::allreduce_max(std::int64_t v) const {
  return reduce_one(handle_, v, MPI_INT64_T, MPI_MAX, "MPI_Allreduce(max)");
}
bool Comm::allreduce_or(bool v) const {
  int x = v ? 1 : 0;
  return reduce_one(handle_, x, MPI_INT, MPI_LOR, "MPI_Allreduce(or)") != 0;
}

std::vector<double> Comm::gather(double v, int root) const {
  std::vector<double> out(rank_ == root ? size_ : 0);
  check_mpi(MPI_Gather(&v, 1, MPI_DOUBLE, out.data(), 1, MPI_DOUBLE, root, handle_), "MPI_Gather");
  return out;
}

std::vector<std::int64_t> Comm::gather(std::int64_t v, int root) const {
  std::vector<std::int64_t> out(rank_ == root ? size_ : 0);
  check_mpi(MPI_Gather(&v, 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T, root, handle_),
            "MPI_Gather");
  return out;
}

std::vector<std::int64_t> Comm::allgather(std::int64_t v) const {
  std::vector<std::int64_t> out(size_);
  check_mpi(MPI_Allgather(&v, 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T, handle_),
            "MPI_Allgather");
  return out;
}

std::vector<std::string> Comm::gather_strings(const std::string& s, int root) const {
  return detail::gather_strings(*this, s, root, std::numeric_limits<int>::max());
}

namespace {

// MPI_Bcast takes an int count: longer buffers go in pieces of at most 2^30
// elements. Every rank knows the length, so every rank loops alike.
void bcast_pieces(void* data, std::int64_t len, MPI_Datatype type, std::size_t elem, int root,
                  MPI_Comm comm) {
  constexpr std::int64_t kPiece = std::int64_t{1} << 30;
  auto* bytes = static_cast<char*>(data);
  for (std::int64_t at = 0; at < len; at += kPiece) {
    const auto n = static_cast<int>(std::min(kPiece, len - at));
    check_mpi(MPI_Bcast(bytes + static_cast<std::size_t>(at) * elem, n, type, root, comm),
              "MPI_Bcast");
  }
}

}  // namespace

void Comm::bcast(std::string& s, int root) const {
  std::int64_t len = static_cast<std::int64_t>(s.size());
  bcast(len, root);
  s.resize(static_cast<std::size_t>(len));
  bcast_pieces(s.data(), len, MPI_CHAR, 1, root, handle_);
}

void Comm::bcast(std::vector<std::int64_t>& v, int root) const {
  std::int64_t len = static_cast<std::int64_t>(v.size());
  bcast(len, root);
  v.resize(static_cast<std::size_t>(len));
  bcast_pieces(v.data(), len, MPI_INT64_T, sizeof(std::int64_t), root, handle_);
}

void Comm::bcast(std::vector<double>& v, int root) const {
  std::int64_t len = static_cast<std::int64_t>(v.size());
  bcast(len, root);
  v.resize(static_cast<std::size_t>(len));
  bcast_pieces(v.data(), len, MPI_DOUBLE, sizeof(double), root, handle_);
}

void Comm::bcast(std::int64_t& v, int root) const {
  check_mpi(MPI_Bcast(&v, 1, MPI_INT64_T, root, handle_), "MPI_Bcast");
}

namespace {
constexpr std::size_t kMessagePiece = std::size_t{1} << 30;
}  // namespace

void Comm::send_bytes(const void* data, std::size_t bytes, int dest, int tag) const {
  const auto* p = static_cast<const char*>(data);
  for (std::size_t done = 0; done < bytes; done += kMessagePiece) {
    const auto n = static_cast<int>(std::min(kMessagePiece, bytes - done));
    check_mpi(MPI_Send(p + done, n, MPI_BYTE, dest, tag, handle_), "MPI_Send");
  }
}

void Comm::recv_bytes(void* data, std::size_t bytes, int source, int tag) const {
  auto* p = static_cast<char*>(data);
  for (std::size_t done = 0; done < bytes; done += kMessagePiece) {
    const auto n = static_cast<int>(std::min(kMessagePiece, bytes - done));
    check_mpi(MPI_Recv(p + done, n, MPI_BYTE, source, tag, handle_, MPI_STATUS_IGNORE), "MPI_Recv");
  }
}

namespace detail {

MPI_Op mpi_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum:
      return MPI_SUM;
    case ReduceOp::min:
      return MPI_MIN;
    case ReduceOp::max:
      return MPI_MAX;
  }
  return MPI_SUM;
}

int mpi_count(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw ParallelError(fmt::format("{}: {} elements, more than MPI's 2^31 - 1", what, n));
  return static_cast<int>(n);
}

}  // namespace detail

void Comm::allreduce_raw(void* data, int n, MPI_Datatype type, ReduceOp op) const {
  if (n == 0)
    return;
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, data, n, type, detail::mpi_op(op), handle_),
            "MPI_Allreduce");
}

std::vector<int> Comm::allreduce_argmax(const std::vector<std::int64_t>& values) const {
  // MPI_LONG_INT pairs (long, int): long is 64-bit on the LP64 platforms
  // Tessera builds on.
  static_assert(sizeof(long) == sizeof(std::int64_t));
  struct CountRank {
    long value;
    int rank;
  };
  std::vector<CountRank> most(values.size());
  for (std::size_t i = 0; i < most.size(); ++i)
    most[i] = {static_cast<long>(values[i]), rank_};
  if (!most.empty()) {
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, most.data(),
                            detail::mpi_count(most.size(), "MPI_Allreduce(maxloc)"), MPI_LONG_INT,
                            MPI_MAXLOC, handle_),
              "MPI_Allreduce(maxloc)");
  }
  std::vector<int> out(most.size());
  for (std::size_t i = 0; i < most.size(); ++i)
    out[i] = most[i].rank;
  return out;
}

std::int64_t Comm::exscan_sum(std::int64_t v) const {
  std::int64_t before = 0;
  check_mpi(MPI_Exscan(&v, &before, 1, MPI_INT64_T, MPI_SUM, handle_), "MPI_Exscan");
  return rank_ == 0 ? 0 : before;  // MPI leaves rank 0's result undefined
}

std::vector<int> Comm::agreed_counts(std::size_t n, const char* what) const {
  const std::vector<std::int64_t> all = allgather(static_cast<std::int64_t>(n));
  std::int64_t total = 0;
  for (std::int64_t c : all)
    total += c;
  if (total > std::numeric_limits<int>::max()) {
    throw ParallelError(
        fmt::format("{}: {} elements over all ranks, more than MPI's 2^31 - 1", what, total));
  }
  return {all.begin(), all.end()};
}

std::size_t Comm::total_of(const std::vector<int>& counts) {
  std::size_t total = 0;
  for (int c : counts)
    total += static_cast<std::size_t>(c);
  return total;
}

void Comm::gatherv_raw(const void* send, int n, void* recv, const std::vector<int>& counts,
                       MPI_Datatype type, int root) const {
  const std::vector<int> displs = displacements(counts);
  check_mpi(MPI_Gatherv(send, n, type, recv, counts.data(), displs.data(), type, root, handle_),
            "MPI_Gatherv");
}

void Comm::allgatherv_raw(const void* send, void* recv, const std::vector<int>& counts,
                          MPI_Datatype type) const {
  const std::vector<int> displs = displacements(counts);
  check_mpi(MPI_Allgatherv(send, counts[static_cast<std::size_t>(rank_)], type, recv, counts.data(),
                           displs.data(), type, handle_),
            "MPI_Allgatherv");
}

std::vector<int> Comm::alltoall_counts(const std::vector<int>& send) const {
  if (send.size() != static_cast<std::size_t>(size_))
    throw ParallelError(fmt::format("MPI_Alltoall: {} counts for {} ranks", send.size(), size_));
  std::vector<int> recv(send.size());
  check_mpi(MPI_Alltoall(send.data(), 1, MPI_INT, recv.data(), 1, MPI_INT, handle_),
            "MPI_Alltoall");
  // Both sides' totals become int displacements: agreed on every rank, so
  // nobody is left waiting in the v-collective that follows.
  std::int64_t sent = 0, received = 0;
  for (std::size_t r = 0; r < send.size(); ++r) {
    sent += send[r];
    received += recv[r];
  }
  const std::int64_t limit = std::numeric_limits<int>::max();
  if (allreduce_or(sent > limit || received > limit))
    throw ParallelError("MPI_Alltoallv: more than 2^31 - 1 elements to or from one rank");
  return recv;
}

void Comm::alltoallv_raw(const void* send, const std::vector<int>& send_counts, void* recv,
                         const std::vector<int>& recv_counts, MPI_Datatype type) const {
  const std::vector<int> sd = displacements(send_counts), rd = displacements(recv_counts);
  check_mpi(MPI_Alltoallv(send, send_counts.data(), sd.data(), type, recv, recv_counts.data(),
                          rd.data(), type, handle_),
            "MPI_Alltoallv");
}

void Comm::exchange_runs_raw(const std::vector<Run<void>>& recvs,
                             const std::vector<Run<const void>>& sends, std::size_t elem_size,
                             int tag, bool sizes_agreed) const {
  // Counts in elements of a contiguous type: 2^31 elements a message.
  bool too_big = false;
  for (const auto& r : recvs)
    too_big = too_big || r.count > static_cast<std::size_t>(std::numeric_limits<int>::max());
  for (const auto& r : sends)
    too_big = too_big || r.count > static_cast<std::size_t>(std::numeric_limits<int>::max());
  if (sizes_agreed ? too_big : allreduce_or(too_big))
    throw ParallelError("more than 2^31 - 1 elements in one message: run with more ranks");
  MPI_Datatype type;
  check_mpi(MPI_Type_contiguous(static_cast<int>(elem_size), MPI_BYTE, &type),
            "MPI_Type_contiguous");
  check_mpi(MPI_Type_commit(&type), "MPI_Type_commit");
  std::vector<MPI_Request> requests;
  requests.reserve(recvs.size() + sends.size());
  int rc = MPI_SUCCESS;
  for (std::size_t i = 0; i < recvs.size() && rc == MPI_SUCCESS; ++i) {
    requests.emplace_back();
    rc = MPI_Irecv(recvs[i].data, static_cast<int>(recvs[i].count), type, recvs[i].peer, tag,
                   handle_, &requests.back());
  }
  for (std::size_t i = 0; i < sends.size() && rc == MPI_SUCCESS; ++i) {
    requests.emplace_back();
    rc = MPI_Isend(sends[i].data, static_cast<int>(sends[i].count), type, sends[i].peer, tag,
                   handle_, &requests.back());
  }
  if (rc == MPI_SUCCESS)
    rc = MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
  MPI_Type_free(&type);
  check_mpi(rc, "MPI_Isend/MPI_Irecv");
}

}  // namespace tessera
