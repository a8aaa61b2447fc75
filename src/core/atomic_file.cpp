#include "tessera/core/atomic_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"

namespace fs = std::filesystem;

namespace tessera {

namespace {
// Hidden name in the same directory: rename(2) stays within one file system,
// and directory listings / globs of the final pattern do not see it.
fs::path temp_name_for(const fs::path& final_path) {
  return final_path.parent_path() /
         fmt::format(".{}.tmp.{}", final_path.filename().string(), static_cast<long>(::getpid()));
}

void prepare_directory(const fs::path& final_path, bool clobber) {
  std::error_code ec;
  if (!final_path.parent_path().empty()) {
    fs::create_directories(final_path.parent_path(), ec);
    if (ec) {
      throw IoError(fmt::format("cannot create directory: {}", ec.message()),
                    final_path.parent_path().string());
    }
  }
  if (!clobber && fs::exists(final_path)) {
    throw UsageError("output exists (use --clobber to replace it)", final_path.string());
  }
}

void rename_or_throw(const fs::path& from, const fs::path& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    throw IoError(fmt::format("cannot rename {} into place: {}", from.filename().string(),
                              errno_message(errno)),
                  to.string());
  }
}
}  // namespace

AtomicFile::AtomicFile(fs::path final_path, bool clobber)
    : final_(std::move(final_path)), temp_(temp_name_for(final_)) {
  prepare_directory(final_, clobber);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : final_(std::move(other.final_)), temp_(std::move(other.temp_)), committed_(other.committed_) {
  other.committed_ = true;  // the moved-from object must not remove anything
}

AtomicFile::~AtomicFile() {
  if (committed_)
    return;
  std::error_code ec;
  fs::remove(temp_, ec);
}

void AtomicFile::commit() {
  if (committed_)
    return;
  if (!fs::exists(temp_)) {
    throw IoError("nothing was written to the temporary file " + temp_.filename().string(),
                  final_.string());
  }
  rename_or_throw(temp_, final_);
  committed_ = true;
}

CollectiveAtomicFile::CollectiveAtomicFile(const Comm& comm, fs::path final_path, bool clobber)
    : comm_(comm), final_(std::move(final_path)) {
  std::string temp;
  run_phase(comm_, "create " + final_.filename().string(), [&] {
    if (comm_.is_root()) {
      prepare_directory(final_, clobber);
      temp = temp_name_for(final_).string();
    }
  });
  comm_.bcast(temp, 0);
  temp_ = temp;
}

CollectiveAtomicFile::~CollectiveAtomicFile() {
  if (committed_)
    return;
  // Only rank 0 removes; no collective call in a destructor (it may run while
  // unwinding on one rank only).
  if (comm_.is_root()) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void CollectiveAtomicFile::commit(bool local_ok, std::int64_t min_bytes) {
  // Every rank has closed its handle before this point (the caller closes the
  // parallel file collectively); agree that all parts are good, then rename.
  // A caller whose ranks write with plain writes (tiles convert's LAZ
  // chunks) has no collective close: the barrier makes sure rank 0 measures
  // the length after every rank's writes, not before. Unconditional: ranks
  // may pass different min_bytes (only rank 0's is used), and every rank
  // reaches commit anyway (check_collective below is collective).
  comm_.barrier();
  std::exception_ptr failure;
  if (!local_ok) {
    failure = std::make_exception_ptr(IoError("a rank failed writing its part", final_.string()));
  } else if (min_bytes > 0 && comm_.is_root()) {
    std::error_code ec;
    const auto size = fs::file_size(temp_, ec);
    if (ec || static_cast<std::int64_t>(size) < min_bytes) {
      failure = std::make_exception_ptr(IoError(
          fmt::format("short write: {} of {} bytes reached the file (file system full?); the "
                      "MPI-IO layer reported no error",
                      ec ? 0 : static_cast<std::int64_t>(size), min_bytes),
          final_.string()));
    }
  }
  try {
    check_collective(comm_, "write " + final_.filename().string(), failure);
  } catch (...) {
    if (comm_.is_root()) {
      std::error_code ec;
      fs::remove(temp_, ec);
    }
    committed_ = true;  // nothing left to clean up
    throw;
  }
  run_phase(comm_, "commit " + final_.filename().string(), [&] {
    if (comm_.is_root())
      rename_or_throw(temp_, final_);
  });
  committed_ = true;
}

void write_file_atomically(const fs::path& path, const std::string& text) {
  AtomicFile file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary);
    out << text;
    out.close();
    if (!out)
      throw IoError("cannot write file", path.string());
  }
  file.commit();
}

}  // namespace tessera
