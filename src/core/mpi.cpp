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

}  // namespace tessera
