// Finding and loading the casacore Measurement Set module (io/ms_module.hpp).
#include "ms_module.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tessera/core/data_dir.hpp"
#include "tessera/core/error.hpp"

namespace tessera::io::ms_module {

namespace {

// What one attempt to load the module came to: its table, or why not.
struct Loaded {
  const Api* api = nullptr;
  std::string error;
};

// Tries <dir>/tessera-ms.so in each of plugin_dirs() (core/data_dir.hpp)
// in order. A directory without the file is passed over; the first file
// that exists is the one used, and if it does not load the search stops
// there, so a broken module is reported rather than hidden by another copy.
// The module is never unloaded: casacore keeps static state (table caches,
// registered storage managers) until exit.
Loaded load() {
  std::vector<std::string> tried;
  for (const std::filesystem::path& dir : plugin_dirs()) {
    const std::string file = (dir / kFileName).string();
    // RTLD_NOW: a casacore library missing is seen here, not at the first
    // call; RTLD_LOCAL: casacore's symbols stay out of the global scope.
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      tried.push_back(why != nullptr ? std::string(why) : file + ": not loaded");
      std::error_code ec;
      if (std::filesystem::exists(file, ec))
        break;
      continue;
    }
    auto* entry = reinterpret_cast<EntryPoint>(::dlsym(handle, kEntryPoint));
    if (entry == nullptr) {
      tried.push_back(fmt::format("{}: no entry point {}", file, kEntryPoint));
      ::dlclose(handle);
      break;
    }
    const Api* api = entry();
    if (api == nullptr || api->interface_version != kInterfaceVersion ||
        api->header_size != sizeof(Uvh5Output)) {
      tried.push_back(fmt::format(
          "{}: built from another version of tessera (interface {}, header {} bytes; this "
          "executable needs interface {}, {} bytes)",
          file, api != nullptr ? api->interface_version : 0, api != nullptr ? api->header_size : 0,
          kInterfaceVersion, sizeof(Uvh5Output)));
      ::dlclose(handle);
      break;
    }
    return {api, {}};
  }
  std::string error = fmt::format(
      "cannot load the Measurement Set module {} (casacore), needed by --format ms|both; tried: {}",
      kFileName, fmt::join(tried, "; "));
  error += " (set TESSERA_PLUGIN_DIR to the directory holding it; --format uvh5 needs no casacore)";
  return {nullptr, error};
}

}  // namespace

const Api& api(const std::string& ms_path) {
  // Loaded once per process on first use; a function-local static is
  // initialised exactly once even when threads race to it. A failure is
  // kept too: every later MS fails with the same message.
  static const Loaded loaded = load();
  if (loaded.api == nullptr)
    throw IoError(loaded.error, ms_path);
  return *loaded.api;
}

}  // namespace tessera::io::ms_module
