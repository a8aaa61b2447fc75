// Outputs appear atomically: nothing an interrupted run leaves looks complete.
//
// A writer opens `temp_path()` (same directory, hidden name carrying the pid),
// writes and closes it, then calls commit(), which renames it to the final
// name (rename(2) is atomic within a file system). If commit() is never
// reached — an exception, a kill — the destructor removes the temporary file;
// after a SIGKILL a hidden ".*.tmp.*" file may remain but never the final name.
//
// CollectiveAtomicFile is the same for a file shared by all ranks of a
// communicator (parallel HDF5, PnetCDF): rank 0 chooses the temporary name and
// broadcasts it; commit() is collective, waits for every rank to have closed
// the file and renames it on rank 0 only if every rank succeeded.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "tessera/core/mpi.hpp"

namespace tessera {

class AtomicFile {
 public:
  /// Creates the parent directory if needed. Throws UsageError if `final_path`
  /// exists and `clobber` is false.
  explicit AtomicFile(std::filesystem::path final_path, bool clobber = true);
  ~AtomicFile();
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  AtomicFile& operator=(AtomicFile&&) = delete;

  const std::filesystem::path& temp_path() const noexcept { return temp_; }
  const std::filesystem::path& final_path() const noexcept { return final_; }
  /// Renames the temporary file to the final name. Throws IoError.
  void commit();
  bool committed() const noexcept { return committed_; }

 private:
  std::filesystem::path final_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

class CollectiveAtomicFile {
 public:
  /// Collective over `comm`.
  CollectiveAtomicFile(const Comm& comm, std::filesystem::path final_path, bool clobber = true);
  ~CollectiveAtomicFile();
  CollectiveAtomicFile(const CollectiveAtomicFile&) = delete;
  CollectiveAtomicFile& operator=(const CollectiveAtomicFile&) = delete;

  const std::filesystem::path& temp_path() const noexcept { return temp_; }
  const std::filesystem::path& final_path() const noexcept { return final_; }
  /// Collective. `local_ok` is false on a rank whose part failed: then no
  /// rank renames, the temporary file is removed and every rank throws.
  /// With `min_bytes` > 0, rank 0 also requires the closed file to be at least
  /// that long: an MPI-IO layer can drop a write error (Open MPI 4.1's OMPIO
  /// on a full file system returns success for writes that never happened),
  /// and a short file must not be renamed into place as if it were complete.
  void commit(bool local_ok = true, std::int64_t min_bytes = 0);

 private:
  const Comm& comm_;
  std::filesystem::path final_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

/// Writes `text` to `path` atomically (small sidecars, CSV, JSON).
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace tessera
