#include "tessera/core/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "tessera/core/error.hpp"

namespace tessera::log {

namespace {
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_rank{0};
std::atomic<bool> g_all_ranks{false};
std::mutex g_mutex;
const auto g_start = std::chrono::steady_clock::now();

const char* level_name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO ";
    case Level::kWarn:
      return "WARN ";
    case Level::kError:
      return "ERROR";
    case Level::kOff:
      break;
  }
  return "     ";
}
}  // namespace

Level parse_level(std::string_view text) {
  if (text == "debug")
    return Level::kDebug;
  if (text == "info")
    return Level::kInfo;
  if (text == "warn" || text == "warning")
    return Level::kWarn;
  if (text == "error")
    return Level::kError;
  if (text == "off")
    return Level::kOff;
  throw UsageError(fmt::format("invalid --log-level '{}' (debug, info, warn, error, off)", text));
}

void set_level(Level level) {
  g_level = static_cast<int>(level);
}
Level level() {
  return static_cast<Level>(g_level.load());
}
void set_rank(int rank) {
  g_rank = rank;
}
void all_ranks(bool enable) {
  g_all_ranks = enable;
}

bool enabled(Level lvl) {
  const int l = static_cast<int>(lvl);
  if (l < g_level.load(std::memory_order_relaxed))
    return false;
  // Non-zero ranks stay quiet below warnings unless asked: a 256-rank log
  // should read like a 1-rank one.
  if (g_rank.load(std::memory_order_relaxed) != 0 && lvl == Level::kInfo && !g_all_ranks) {
    return false;
  }
  return true;
}

void write(Level lvl, std::string_view message) {
  const double t =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - g_start).count();
  std::string line =
      fmt::format("[{:9.3f} r{} {}] {}\n", t, g_rank.load(), level_name(lvl), message);
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace tessera::log
