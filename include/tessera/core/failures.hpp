// Per-item failures: recorded, summarised, and turned into exit code 1.
//
// One corrupt pixel, subband group or tile must not sink the others. A step
// records each failed item with the reason (usually an Error's what()) and
// goes on; at the end the records of all ranks are gathered to rank 0,
// printed as a summary, and the step exits 1 while the outputs of every other
// item are complete.
#pragma once

#include <string>
#include <vector>

#include "tessera/core/mpi.hpp"

namespace tessera {

struct ItemFailure {
  std::string item;    ///< "pixel 9813", "group 2024-01-01T00:00:00", "QSO 39627..."
  std::string reason;  ///< what went wrong, naming the file and field
  int rank = 0;
};

class FailureLog {
 public:
  /// Thread-safe (OpenMP loops record per-QSO failures).
  void record(std::string item, std::string reason);
  std::size_t size() const;
  const std::vector<ItemFailure>& local() const noexcept { return local_; }

  /// Collective: the first `limit` records of all ranks in item order
  /// (ties: by rank, then in recording order) on rank 0, empty elsewhere; the
  /// exact total count on every rank through `total`. Each rank sends its
  /// count and only its own first `limit` records, so rank 0 receives at
  /// most P x limit records however many items failed (balfind records one
  /// per QSO: 3M failures would otherwise be ~540 MB of text on rank 0).
  std::vector<ItemFailure> gather(const Comm& comm, std::int64_t* total = nullptr,
                                  std::size_t limit = 1000) const;

  /// Collective: gathers and, on rank 0, logs a summary (at most `max_lines`
  /// lines, then a count). Returns the total number of failures.
  std::int64_t report(const Comm& comm, const std::string& step, std::size_t max_lines = 20) const;

 private:
  std::vector<ItemFailure> local_;
};

}  // namespace tessera
