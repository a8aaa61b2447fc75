// Cross-rank reduction of perf regions (perf_report.cpp) on a constructed
// uneven workload whose imbalance is known in closed form.
//
// If TESSERA_PERF_JSON_OUT is set, rank 0 writes the uneven workload's report
// there; tests/integration/test_perf_report.py validates it against
// docs/perf-report.schema.json and feeds it to `tessera report`.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include "support/catch.hpp"
#include "tessera/core/mpi.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/core/perf_report.hpp"

namespace perf = tessera::perf;
using nlohmann::json;
using tessera::Comm;

namespace {

// Uneven "work": each rank sleeps rather than spins. On an oversubscribed
// node (4 ranks on 2 shared cores) a spinning rank that is descheduled past
// its deadline overshoots by a time slice or more, which would blur the
// imbalance this test checks; a sleeping rank wakes up within ~0.1 ms.
constexpr double kUnit = 0.050;

void work_for(double seconds) {
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

const json* find_region(const json& report, const std::string& path) {
  for (const json& r : report.at("regions")) {
    if (r.at("path") == path) {
      return &r;
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("Uneven work is reduced to min, avg, max, imbalance and the slowest rank",
          "[perf][mpi]") {
  const Comm world = Comm::world();
  const int rank = world.rank();
  const int n = world.size();
  world.barrier();
  perf::reset();
  const double t0 = perf::now();
  {
    perf::Region step("step");
    {
      // Rank r works (r+1) units: avg = unit (n+1)/2, max = unit n, so
      // max/avg = 2n/(n+1).
      perf::Region work("work");
      work_for((rank + 1) * kUnit);
      perf::add_items(rank + 1);
      perf::add_bytes_read(1000 * (rank + 1));
    }
    if (rank == 1) {
      perf::Region only("rank1.only");  // a region rank 0 never sees
      perf::add_bytes_written(4096);
    }
  }
  perf::RunInfo info;
  info.command = "test perf_reduce";
  info.options = {{"mode", "uneven"}};
  info.input_bytes = {{"catalog", 12345}};
  info.threads = 1;
  const json report = perf::reduce_report(world, info, perf::now() - t0);

  if (const char* out = std::getenv("TESSERA_PERF_JSON_OUT"); out != nullptr && rank == 0) {
    std::ofstream(out) << report.dump(2) << "\n";
  }

  if (rank != 0) {
    CHECK(report.is_null());
    return;
  }
  REQUIRE(report.is_object());
  CHECK(report.at("schema_version") == perf::kSchemaVersion);
  REQUIRE_NOTHROW(perf::check_report(report, "in-memory report"));

  // Union of paths in tree order; the rank-1 region appears although rank 0
  // never entered it.
  std::vector<std::string> paths;
  for (const json& r : report.at("regions")) {
    paths.push_back(r.at("path"));
  }
  if (n >= 2) {
    CHECK(paths == std::vector<std::string>{"step", "step/work", "step/rank1.only"});
  } else {
    CHECK(paths == std::vector<std::string>{"step", "step/work"});
  }

  const json& work = *find_region(report, "step/work");
  const double lo = work.at("seconds").at("min");
  const double avg = work.at("seconds").at("avg");
  const double hi = work.at("seconds").at("max");
  CHECK(lo <= avg);
  CHECK(avg <= hi);
  CHECK(lo >= kUnit);
  CHECK(hi >= kUnit * n);
  const double expected = 2.0 * n / (n + 1.0);
  CHECK(work.at("imbalance").get<double>() == Approx(expected).epsilon(0.10));
  CHECK(work.at("imbalance").get<double>() == Approx(hi / avg));
  CHECK(work.at("slowest_rank") == n - 1);
  CHECK(work.at("calls") == n);
  CHECK(work.at("ranks") == n);
  CHECK(work.at("depth") == 1);
  CHECK(work.at("name") == "work");
  CHECK(work.at("items").at("total") == n * (n + 1) / 2);
  CHECK(work.at("items").at("min") == 1.0);
  CHECK(work.at("items").at("max") == Approx(n));
  CHECK(work.at("items").at("avg") == Approx((n + 1) / 2.0));
  CHECK(work.at("bytes_read") == 1000 * n * (n + 1) / 2);
  CHECK(work.at("read_gb_per_s").get<double>() == Approx(1000.0 * n * (n + 1) / 2 / hi / 1e9));

  const json& step = *find_region(report, "step");
  CHECK(step.at("seconds").at("max").get<double>() >= hi);
  CHECK(step.at("depth") == 0);

  if (n >= 2) {
    const json& only = *find_region(report, "step/rank1.only");
    CHECK(only.at("ranks") == 1);
    CHECK(only.at("calls") == 1);
    CHECK(only.at("slowest_rank") == 1);
    CHECK(only.at("seconds").at("min") == 0.0);
    CHECK(only.at("bytes_written") == 4096);
  }

  const json& totals = report.at("totals");
  CHECK(totals.at("items") == n * (n + 1) / 2);
  CHECK(totals.at("bytes_written") == (n >= 2 ? 4096 : 0));

  const json& rss = report.at("memory").at("peak_rss_bytes");
  CHECK(rss.at("min").get<double>() > 0.0);
  CHECK(rss.at("min") <= rss.at("avg"));
  CHECK(rss.at("avg") <= rss.at("max"));
  CHECK(report.at("memory").at("max_rank").get<int>() < n);

  const json& run = report.at("run");
  CHECK(run.at("ranks") == n);
  CHECK(run.at("threads") == 1);
  CHECK(run.at("command") == "test perf_reduce");
  CHECK(run.at("options").at("mode") == "uneven");
  CHECK(run.at("input_bytes").at("catalog") == 12345);
  CHECK(run.at("hosts").size() >= 1);
  CHECK(!run.at("mpi_library").get<std::string>().empty());
  CHECK(run.at("wall_seconds").get<double>() >= kUnit);  // rank 0 worked one unit
}

TEST_CASE("A run without regions reduces to an empty region list", "[perf][mpi]") {
  const Comm world = Comm::world();
  perf::reset();
  const json report = perf::reduce_report(world, perf::RunInfo{}, 0.0);
  if (world.rank() == 0) {
    REQUIRE(report.is_object());
    CHECK(report.at("regions").empty());
    CHECK(report.at("run").at("ranks") == world.size());
  } else {
    CHECK(report.is_null());
  }
}

TEST_CASE("Regions are ordered parents first, siblings in order of first entry", "[perf][mpi]") {
  const Comm world = Comm::world();
  const int rank = world.rank();
  perf::reset();
  {
    perf::Region top("top");
    { perf::Region z("z.read"); }
    // The last rank enters a region nobody else has, under a shared parent.
    if (rank == world.size() - 1) {
      perf::Region late("m.extra");
      perf::Region deeper("deeper");
    }
    { perf::Region a("a.write"); }
  }
  const json report = perf::reduce_report(world, perf::RunInfo{}, 0.0);
  if (rank != 0) {
    return;
  }
  std::vector<std::string> paths;
  for (const json& r : report.at("regions")) {
    paths.push_back(r.at("path"));
  }
  // Rank 0's first-entry order first, then regions other ranks add; a child
  // always right under its parent's subtree.
  if (world.size() == 1) {
    CHECK(paths == std::vector<std::string>{"top", "top/z.read", "top/m.extra",
                                            "top/m.extra/deeper", "top/a.write"});
  } else {
    CHECK(paths == std::vector<std::string>{"top", "top/z.read", "top/a.write", "top/m.extra",
                                            "top/m.extra/deeper"});
  }
}
