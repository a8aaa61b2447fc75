#include "tessera/core/timeout.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/perf.hpp"

namespace tessera {

Watchdog::Watchdog(double seconds) {
  if (seconds <= 0)
    return;
  thread_ = std::thread([this, seconds] {
    std::unique_lock<std::mutex> lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    if (cv_.wait_until(lock, deadline, [this] { return stop_; }))
      return;
    std::string region = perf::current_region();
    if (region.empty())
      region = "(no region)";
    log::error("timeout: --timeout {} s exceeded in region {}", seconds, region);
    std::fflush(stdout);
    std::fflush(stderr);
    // _exit: the main thread may sit in a collective that never returns, and
    // destructors must not run concurrently with it.
    ::_exit(static_cast<int>(ExitCode::kTimeout));
  });
}

Watchdog::~Watchdog() {
  if (!thread_.joinable())
    return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

}  // namespace tessera
