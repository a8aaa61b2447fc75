#include "tessera/core/progress.hpp"

#include <fmt/format.h>
#include <mpi.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "tessera/core/log.hpp"

namespace tessera {

namespace {
std::atomic<bool> g_progress_enabled{true};
int g_progress_rank = -1;

int world_rank() {
  if (g_progress_rank < 0) {
    int initialised = 0;
    MPI_Initialized(&initialised);
    g_progress_rank = 0;
    if (initialised)
      MPI_Comm_rank(MPI_COMM_WORLD, &g_progress_rank);
  }
  return g_progress_rank;
}

std::string format_seconds(double s) {
  if (s < 60)
    return fmt::format("{:.1f}s", s);
  if (s < 3600)
    return fmt::format("{}m{:02d}s", static_cast<int>(s / 60), static_cast<int>(s) % 60);
  return fmt::format("{}h{:02d}m", static_cast<int>(s / 3600), (static_cast<int>(s) / 60) % 60);
}
}  // namespace

void set_progress_enabled(bool enabled) {
  g_progress_enabled = enabled;
}
bool progress_enabled() {
  return g_progress_enabled;
}

Progress::Progress(std::string name, std::int64_t total, bool enabled, double interval_seconds)
    : name_(std::move(name)),
      total_(total),
      enabled_(enabled && g_progress_enabled && world_rank() == 0),
      tty_(::isatty(STDERR_FILENO) != 0),
      interval_(interval_seconds),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

Progress::~Progress() {
  finish();
}

std::string Progress::format_line(const std::string& name, std::int64_t done, std::int64_t total,
                                  double elapsed) {
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  std::string eta = "?";
  if (done >= total) {
    eta = "done";
  } else if (rate > 0) {
    eta = format_seconds(static_cast<double>(total - done) / rate);
  }
  const double pct =
      total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0;
  return fmt::format("{}: {}/{} ({:.0f}%), {:.1f}/s, elapsed {}, ETA {}", name, done, total, pct,
                     rate, format_seconds(elapsed), eta);
}

void Progress::update(std::int64_t done) {
  if (!enabled_ || done <= done_)
    return;
  done_ = std::min(done, total_);
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  if ((tty_ && since >= 0.1) || (!tty_ && since >= interval_)) {
    last_print_ = now;
    print(false);
  }
}

void Progress::finish() {
  if (!enabled_ || finished_)
    return;
  finished_ = true;
  print(true);
}

void Progress::print(bool final) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::string line = format_line(name_, done_, total_, elapsed);
  if (tty_) {
    // One live line, redrawn in place; the final state ends with a newline.
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
    std::fflush(stderr);
  } else {
    log::info("{}", line);
  }
}

}  // namespace tessera
