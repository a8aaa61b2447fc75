// tessera check sleep / check fail: failure drills for an installation and
// for the tests: a step that runs past --timeout, and a rank that fails
// inside a collective phase.
#include <chrono>
#include <thread>

#include "command.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/perf.hpp"

namespace tessera::driver {
namespace {

void run_sleep(StepContext& ctx) {
  const double seconds = ctx.vm["seconds"].as<double>();
  perf::Region r("sleep");
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void run_fail(StepContext& ctx) {
  const int bad = ctx.vm["rank"].as<int>();
  const std::string mode = ctx.vm["mode"].as<std::string>();
  const Comm& comm = ctx.comm;
  if (mode != "throw" && mode != "abort" && mode != "item") {
    throw UsageError("--mode must be throw, abort or item, got '" + mode + "'");
  }
  if (mode == "item") {
    // A per-item failure: recorded, the others complete, exit code 1.
    for (int i = 0; i < 4; ++i) {
      if (i % comm.size() != comm.rank())
        continue;
      if (i == bad) {
        ctx.failures.record(fmt::format("item {}", i), "injected item failure");
      }
    }
    return;
  }
  run_phase(comm, "check fail phase", [&] {
    perf::Region r("phase");
    if (comm.rank() == bad % comm.size()) {
      if (mode == "abort")
        abort_job(fmt::format("injected abort on rank {}", comm.rank()), ExitCode::kFatalIo);
      throw IoError(fmt::format("injected failure on rank {}", comm.rank()), "check-fail.dat",
                    "phase");
    }
    // The healthy ranks are busy and then meet the failing one at the check.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  });
  // Never reached when a rank failed: every rank threw from run_phase.
  comm.barrier();
}

const CommandRegistrar kSleep{Command{
    "check",
    "sleep",
    "sleep inside a perf region (try with --timeout)",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("seconds", po::value<double>()->default_value(5.0), "how long to sleep");
    },
    run_sleep,
    {}}};

const CommandRegistrar kFail{
    Command{"check",
            "fail",
            "fail on one rank inside a collective phase (error-handling drill)",
            [](po::options_description& d, po::positional_options_description&) {
              d.add_options()("rank", po::value<int>()->default_value(0), "the rank that fails")(
                  "mode", po::value<std::string>()->default_value("throw"),
                  "throw (collective error check), abort (MPI_Abort), item (a per-item failure)");
            },
            run_fail,
            {}}};

}  // namespace
}  // namespace tessera::driver
