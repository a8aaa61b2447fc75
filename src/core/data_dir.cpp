// Reference-data and module lookup (include/tessera/core/data_dir.hpp).
#include "tessera/core/data_dir.hpp"

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "tessera/build_info.hpp"

namespace tessera {
namespace fs = std::filesystem;

// /proc/self/exe names the binary after symlinks are resolved, so a prefix
// that was moved (or a symlink in a bin/ on PATH) still leads to the share/
// and lib/ beside it.
fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

std::vector<fs::path> data_dirs() {
  // An explicit override is the only place looked at: a wrong one must fail
  // naming it, not be passed over for another copy.
  if (const char* env = std::getenv("TESSERA_DATA_DIR"); env != nullptr && *env != '\0')
    return {fs::path(env)};
  std::vector<fs::path> dirs;
  if (const fs::path exe = executable_dir(); !exe.empty())
    dirs.push_back((exe / ".." / "share" / "tessera").lexically_normal());
  dirs.emplace_back(build::kSourceDataDir);
  dirs.emplace_back(build::kInstallDataDir);
  return dirs;
}

fs::path data_file(const std::string& relative) {
  const std::vector<fs::path> dirs = data_dirs();
  for (const fs::path& d : dirs) {
    std::error_code ec;
    if (fs::is_regular_file(d / relative, ec))
      return d / relative;
  }
  return dirs.front() / relative;
}

std::string data_search_note(const std::string& relative) {
  std::string s = "looked for " + relative + " in:";
  const char* sep = " ";
  for (const fs::path& d : data_dirs()) {
    s += sep + d.string();
    sep = ", ";
  }
  return s + " (set TESSERA_DATA_DIR to the directory that holds it)";
}

std::vector<fs::path> plugin_dirs() {
  if (const char* env = std::getenv("TESSERA_PLUGIN_DIR"); env != nullptr && *env != '\0')
    return {fs::path(env)};
  std::vector<fs::path> dirs;
  auto add = [&dirs](const fs::path& d) {
    if (std::find(dirs.begin(), dirs.end(), d) == dirs.end())
      dirs.push_back(d);
  };
  if (const fs::path exe = executable_dir(); !exe.empty()) {
    add(exe);
    // An absolute CMAKE_INSTALL_LIBDIR replaces the prefix (path's operator/).
    add((exe / ".." / build::kInstallLibDir / "tessera").lexically_normal());
  }
  add(fs::path(build::kInstallPluginDir).lexically_normal());
  return dirs;
}

}  // namespace tessera
