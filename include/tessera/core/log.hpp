// The one logger: rank-tagged, levelled, to stderr.
//
//   log::info("split: {} rows into {} pixels", n, npix);
//
// Every line carries the elapsed wall time since start-up, the MPI rank and
// the level: "[  12.345 r3 INFO ] message". Non-zero ranks print only warnings
// and errors unless the level is debug, so a 256-rank job's log stays
// readable; `log::all_ranks(true)` lifts that. Thread-safe: a line is written
// with one call under a mutex.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace tessera::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

/// Parses "debug|info|warn|error|off"; throws UsageError naming the value.
Level parse_level(std::string_view text);
void set_level(Level level);
Level level();
/// Called once the MPI rank is known.
void set_rank(int rank);
/// Let every rank print info lines (default: rank 0 only below warnings).
void all_ranks(bool enable);
bool enabled(Level level);
void write(Level level, std::string_view message);

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::kDebug))
    write(Level::kDebug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::kInfo))
    write(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::kWarn))
    write(Level::kWarn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::kError))
    write(Level::kError, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace tessera::log
