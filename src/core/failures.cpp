#include "tessera/core/failures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <sstream>

#include "tessera/core/log.hpp"

namespace tessera {

namespace {
std::mutex g_failure_mutex;

// Records travel as "item\x1freason\x1e" so any text survives the gather.
constexpr char kUnit = '\x1f';
constexpr char kRecord = '\x1e';
}  // namespace

void FailureLog::record(std::string item, std::string reason) {
  int rank = 0;
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (initialised)
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  std::lock_guard<std::mutex> lock(g_failure_mutex);
  local_.push_back({std::move(item), std::move(reason), rank});
}

std::size_t FailureLog::size() const {
  std::lock_guard<std::mutex> lock(g_failure_mutex);
  return local_.size();
}

std::vector<ItemFailure> FailureLog::gather(const Comm& comm, std::int64_t* total,
                                            std::size_t limit) const {
  // This rank's first `limit` records in item order: the global first
  // `limit` (by item, then rank, then recording order) are among the union
  // of every rank's, so the result does not depend on the rank count.
  std::vector<const ItemFailure*> mine;
  mine.reserve(local_.size());
  for (const auto& f : local_)
    mine.push_back(&f);
  const auto by_item = [](const ItemFailure* a, const ItemFailure* b) { return a->item < b->item; };
  std::stable_sort(mine.begin(), mine.end(), by_item);
  if (mine.size() > limit)
    mine.resize(limit);
  std::string packed;
  for (const auto* f : mine)
    packed += f->item + kUnit + f->reason + kRecord;
  auto all = comm.gather_strings(packed, 0);
  std::vector<ItemFailure> out;
  if (comm.is_root()) {
    for (int r = 0; r < comm.size(); ++r) {
      std::size_t pos = 0;
      const std::string& s = all[static_cast<std::size_t>(r)];
      while (pos < s.size()) {
        const auto unit = s.find(kUnit, pos);
        const auto end = s.find(kRecord, unit);
        out.push_back({s.substr(pos, unit - pos), s.substr(unit + 1, end - unit - 1), r});
        pos = end + 1;
      }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const ItemFailure& a, const ItemFailure& b) { return a.item < b.item; });
    if (out.size() > limit)
      out.resize(limit);
  }
  const std::int64_t n = comm.allreduce_sum(static_cast<std::int64_t>(local_.size()));
  if (total)
    *total = n;
  return out;
}

std::int64_t FailureLog::report(const Comm& comm, const std::string& step,
                                std::size_t max_lines) const {
  std::int64_t total = 0;
  auto all = gather(comm, &total, max_lines);
  if (comm.is_root() && total > 0) {
    log::error("{}: {} item(s) failed; all other items completed", step, total);
    for (std::size_t i = 0; i < all.size() && i < max_lines; ++i) {
      log::error("  {} (rank {}): {}", all[i].item, all[i].rank, all[i].reason);
    }
    if (total > static_cast<std::int64_t>(all.size()))
      log::error("  ... {} more", total - static_cast<std::int64_t>(all.size()));
  }
  return total;
}

}  // namespace tessera
