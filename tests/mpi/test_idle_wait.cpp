// Waiting without spinning (idle_barrier, run_phase with PhaseWait::kIdle).
#include <chrono>
#include <ctime>
#include <stdexcept>
#include <thread>

#include "support/catch.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/idle_wait.hpp"

using namespace tessera;

namespace {

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

}  // namespace

TEST_CASE("Ranks waiting in idle_barrier for a late rank leave their core idle", "[idle]") {
  const Comm world = Comm::world();
  const auto late = std::chrono::milliseconds(300);
  if (world.is_root())
    std::this_thread::sleep_for(late);
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = thread_cpu_seconds();
  idle_barrier(world);
  const double cpu = thread_cpu_seconds() - cpu0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (world.is_root() || world.size() == 1)
    return;
  // The barrier held until rank 0 came, and the wait did not spin: a busy
  // poll would use about as much CPU time as wall time.
  CHECK(wall > 0.2);
  CHECK(cpu < 0.25 * wall);
}

TEST_CASE("A phase waited for idly still reports every rank's failure", "[idle]") {
  const Comm world = Comm::world();
  bool thrown = false;
  try {
    run_phase(
        world, "idle phase",
        [&] {
          if (world.rank() == world.size() - 1)
            throw std::runtime_error("last rank failed");
        },
        PhaseWait::kIdle);
  } catch (const CollectiveError& e) {
    thrown = std::string(e.what()).find("last rank failed") != std::string::npos;
  }
  CHECK(thrown);
}
