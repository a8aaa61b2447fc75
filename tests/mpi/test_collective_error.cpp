#include "support/catch.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/failures.hpp"

using namespace tessera;

TEST_CASE("One rank throwing in a phase makes every rank throw with its message", "[collective]") {
  const Comm world = Comm::world();
  const int bad = world.size() - 1;
  try {
    run_phase(world, "drill", [&] {
      if (world.rank() == bad)
        throw FormatError("bad header", "input.fits", "HDU 1");
    });
    FAIL("run_phase returned although a rank failed");
  } catch (const CollectiveError& e) {
    const std::string what = e.what();
    CHECK(what.find("input.fits: HDU 1: bad header") != std::string::npos);
    if (world.size() > 1)
      CHECK(what.find("rank " + std::to_string(bad)) != std::string::npos);
    CHECK(e.exit_code() == ExitCode::kFatalIo);
  }
  // The communicator is still usable: nobody is stuck.
  world.barrier();
}

TEST_CASE("The most severe exit code wins when ranks fail differently", "[collective]") {
  const Comm world = Comm::world();
  try {
    run_phase(world, "drill", [&] {
      if (world.rank() == 0)
        throw UsageError("bad option");
      throw IoError("disk full");
    });
    FAIL("no error");
  } catch (const CollectiveError& e) {
    CHECK(e.exit_code() == ExitCode::kUsage);
  }
}

TEST_CASE("A failure agreed in an inner phase passes through the outer phase unchanged",
          "[collective]") {
  const Comm world = Comm::world();
  std::string inner, outer;
  try {
    run_phase(world, "outer", [&] {
      try {
        run_phase(world, "inner", [&] {
          if (world.rank() == 0)
            throw IoError("cannot create directory", "out/dod.tif");
        });
      } catch (const CollectiveError& e) {
        inner = e.what();
        throw;
      }
    });
    FAIL("no error");
  } catch (const CollectiveError& e) {
    outer = e.what();
    CHECK(e.exit_code() == ExitCode::kFatalIo);
  }
  CHECK(outer == inner);
  CHECK(outer.find("out/dod.tif") != std::string::npos);
  CHECK(outer.find("outer") == std::string::npos);
}

TEST_CASE("A phase where every rank succeeds does not throw", "[collective]") {
  const Comm world = Comm::world();
  int ran = 0;
  CHECK_NOTHROW(run_phase(world, "ok", [&] { ran = 1; }));
  CHECK(ran == 1);
}

TEST_CASE("Item failures from all ranks are gathered and counted", "[failures]") {
  const Comm world = Comm::world();
  FailureLog log;
  if (world.rank() % 2 == 0)
    log.record("pixel " + std::to_string(world.rank()), "missing coadd");
  std::int64_t total = 0;
  const auto all = log.gather(world, &total);
  const std::int64_t expected = (world.size() + 1) / 2;
  CHECK(total == expected);
  if (world.is_root()) {
    REQUIRE(all.size() == static_cast<std::size_t>(expected));
    CHECK(all[0].reason == "missing coadd");
  }
}
