// --timeout: a step that runs too long ends on every rank with exit 124.
//
// Each rank arms its own watchdog thread with the same limit when the step
// starts (ranks start within milliseconds of each other). When the limit
// passes, the watchdog logs "timeout after N s in region R" — R being the
// innermost perf::Region open on the main thread — flushes and _exit(124)s
// the process. The MPI launcher then ends the remaining ranks. Exiting
// from the watchdog (instead of throwing) is deliberate: the main thread may
// be blocked inside a collective call that will never return.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

namespace tessera {

class Watchdog {
 public:
  /// seconds <= 0 disables the watchdog.
  explicit Watchdog(double seconds);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tessera
