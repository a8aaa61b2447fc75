// Free-space pre-flight check (include/tessera/core/free_space.hpp).
#include "tessera/core/free_space.hpp"

#include <fmt/format.h>
#include <sys/statvfs.h>

#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"

namespace tessera {

std::int64_t free_bytes(const std::filesystem::path& dir) {
  struct statvfs s {};
  if (statvfs(dir.c_str(), &s) != 0)
    return -1;
  return static_cast<std::int64_t>(s.f_bavail) * static_cast<std::int64_t>(s.f_frsize);
}

void require_free_space(const std::filesystem::path& output, std::int64_t need) {
  const auto dir = output.has_parent_path() ? output.parent_path() : std::filesystem::path(".");
  const std::int64_t have = free_bytes(dir);
  if (have >= 0 && have < need) {
    throw IoError(
        fmt::format("not enough free space: the output needs about {:.3f} MB, the file "
                    "system holding {} has {:.3f} MB",
                    static_cast<double>(need) / 1e6, dir.string(), static_cast<double>(have) / 1e6),
        output.string());
  }
}

void require_free_space(const Comm& comm, const std::filesystem::path& output, std::int64_t need) {
  std::exception_ptr err;
  if (comm.is_root())
    capture_error(err, [&] { require_free_space(output, need); });
  check_collective(comm, "free space for " + output.filename().string(), err);
}

std::int64_t hdf5_metadata_margin(std::int64_t chunks) {
  return (256LL << 10) + 64 * chunks;
}

}  // namespace tessera
