// The boundary between io::MsWriter (io/ms_writer.hpp, linked into the
// tessera executable) and its casacore implementation, the loadable module
// tessera-ms.so (src/io/ms_casacore/), which the executable dlopen()s when
// it writes its first Measurement Set (io/ms_module.cpp).
//
// Why a module: casacore's libraries (tables, casa, ms, measures, scimath,
// fftw, gsl) are ~12 MiB mapped and relocated at start-up in every rank of
// every step, though only `subband convert --format ms|both` uses them
// (docs/architecture.md, "Loadable modules").
//
// Why this narrow C-linkage table and not C++ classes or exceptions across
// the boundary: Tessera's own libraries are static archives inside the
// executable. A module linking them again would carry its own copies of
// tessera::Error's typeinfo, the logger and every other singleton; making
// the module resolve them from the executable instead (ENABLE_EXPORTS,
// -rdynamic) would export every symbol of the executable for one optional
// writer. So the module links casacore, fmt and the C++ runtime only, and
// what crosses is plain data:
//   - one extern "C" entry point, found with dlsym, returning a table of
//     noexcept functions. The module catches everything (casacore's
//     AipsError, std::exception, its own checks) and fills a Result with
//     the status, message and object; io::MsWriter turns that into the
//     IoError/FormatError naming the MS path. No exception ever unwinds
//     through the boundary, and no Tessera type with a vtable crosses it;
//   - the header, io::Uvh5Output (uvh5_output.hpp): std::string, std::vector
//     and numbers. Both sides are built together by the same compiler
//     against the same libstdc++ (-std=c++17 in the module does not change
//     these types' layout; both allocate through libstdc++'s operator new),
//     and the table carries the interface version and sizeof(Uvh5Output),
//     so a module from another build is refused instead of trusted.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <string>

#include "tessera/io/uvh5_output.hpp"

namespace tessera::io::ms_module {

/// The module's file name (OUTPUT_NAME and PREFIX in src/io/CMakeLists.txt).
inline constexpr const char* kFileName = "tessera-ms.so";
/// The one exported symbol: `const Api* tessera_ms_module()`.
inline constexpr const char* kEntryPoint = "tessera_ms_module";
/// Bump with any change to Api, Result or Uvh5Output.
inline constexpr int kInterfaceVersion = 1;

enum class Status : int { kOk = 0, kIoError = 1, kFormatError = 2 };

/// The outcome of one call: kOk, or what went wrong and in which object of
/// the MS (empty for the whole set).
struct Result {
  Status status = Status::kOk;
  std::string message, object;
};

struct Writer;  ///< opaque; defined in the module

struct Api {
  int interface_version;
  std::size_t header_size;  ///< sizeof(Uvh5Output) as the module was built
  /// Creates the MS at `path` (see io::MsWriter); nullptr on failure.
  Writer* (*create)(const char* path, const Uvh5Output& header, std::uint64_t stripe_freqs,
                    Result& result) noexcept;
  void (*write_channels)(Writer* w, std::uint64_t first, std::uint64_t nchan,
                         std::complex<float>* vis, const std::uint8_t* flags,
                         Result& result) noexcept;
  /// Flushes the tables and releases them; `w` is then only destroyed.
  void (*close)(Writer* w, Result& result) noexcept;
  void (*destroy)(Writer* w) noexcept;
};

using EntryPoint = const Api* (*)() noexcept;

/// The module's table, loaded on first use (once per process, thread-safe).
/// Throws IoError naming `ms_path`, every module path tried and dlerror()'s
/// text when the module cannot be found or loaded.
const Api& api(const std::string& ms_path);

}  // namespace tessera::io::ms_module
