// Progress of a long step, reported on rank 0: items done / total, rate, ETA.
//
// On a terminal (stderr is a tty) it redraws one live line at most 10 times a
// second; otherwise (Slurm logs, CI) it writes a log line at most every
// `interval` seconds and at the end. Updates are cheap enough to call per
// item. Only rank 0 prints; other ranks' updates are ignored. Disabled with
// --no-progress.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tessera {

class Progress {
 public:
  Progress(std::string name, std::int64_t total, bool enabled, double interval_seconds = 10.0);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// Sets the number of items done (monotone; smaller values are ignored).
  void update(std::int64_t done);
  /// Prints the final line.
  void finish();

  /// "12/40 items, 3.2/s, ETA 8.7s" for the given state (pure, tested).
  static std::string format_line(const std::string& name, std::int64_t done, std::int64_t total,
                                 double elapsed_seconds);

 private:
  void print(bool final);
  std::string name_;
  std::int64_t total_;
  std::int64_t done_ = 0;
  bool enabled_;
  bool tty_;
  bool finished_ = false;
  double interval_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
};

/// Global switch set by --progress/--no-progress (default: on).
void set_progress_enabled(bool enabled);
bool progress_enabled();

}  // namespace tessera
