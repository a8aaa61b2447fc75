// perf::Region registry, counters, the report table and baseline comparison
// (serial parts; the cross-rank reduction is in tests/mpi/test_perf_reduce.cpp).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/core/perf_report.hpp"

namespace perf = tessera::perf;
using nlohmann::json;

namespace {

void busy_wait(double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
  }
}

// A report as reduce_report() would make it, with the given (path, max s).
json report_with(const std::vector<std::pair<std::string, double>>& regions) {
  json rows = json::array();
  for (const auto& [path, seconds] : regions) {
    const auto slash = path.rfind('/');
    const int depth = static_cast<int>(std::count(path.begin(), path.end(), '/'));
    rows.push_back({{"path", path},
                    {"name", slash == std::string::npos ? path : path.substr(slash + 1)},
                    {"depth", depth},
                    {"ranks", 2},
                    {"calls", 2},
                    {"seconds", {{"min", seconds / 2}, {"avg", seconds * 0.75}, {"max", seconds}}},
                    {"imbalance", 1.0 / 0.75},
                    {"slowest_rank", 1},
                    {"items", {{"total", 30}, {"min", 10.0}, {"avg", 15.0}, {"max", 20.0}}},
                    {"bytes_read", 2000000000},
                    {"bytes_written", 0},
                    {"read_gb_per_s", 2.0 / seconds},
                    {"write_gb_per_s", 0.0}});
  }
  return {{"schema_version", perf::kSchemaVersion},
          {"run",
           {{"tessera_version", "0.1.0"},
            {"git_sha", "abcdef012345"},
            {"compiler", "GNU 12"},
            {"build_type", "RelWithDebInfo"},
            {"mpi_library", "Open MPI v4.1.4"},
            {"ranks", 2},
            {"threads", 1},
            {"hosts", {"node1"}},
            {"slurm_job_id", nullptr},
            {"start_utc", "2026-11-22T03:00:00Z"},
            {"command", "test step"},
            {"options", json::object()},
            {"input_bytes", json::object()},
            {"wall_seconds", 3.0}}},
          {"memory",
           {{"peak_rss_bytes", {{"min", 1048576.0}, {"avg", 2097152.0}, {"max", 3145728.0}}},
            {"max_rank", 1}}},
          {"totals", {{"items", 30}, {"bytes_read", 2000000000}, {"bytes_written", 0}}},
          {"regions", rows}};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("Nested regions are recorded by path with their call counts", "[perf]") {
  perf::reset();
  {
    perf::Region outer("outer");
    for (int i = 0; i < 3; ++i) {
      perf::Region inner("inner");
    }
    {
      perf::Region other("other");
      perf::Region inner(std::string("inner"));
      CHECK(perf::current_region() == "outer/other/inner");
    }
    CHECK(perf::current_region() == "outer");
  }
  { perf::Region outer("outer"); }
  CHECK(perf::current_region().empty());

  const auto records = perf::records();
  REQUIRE(records.size() == 4);
  CHECK(records[0].path == "outer");
  CHECK(records[1].path == "outer/inner");
  CHECK(records[2].path == "outer/other");
  CHECK(records[3].path == "outer/other/inner");
  const auto s = perf::snapshot();
  CHECK(s.at("outer").calls == 2);
  CHECK(s.at("outer/inner").calls == 3);
  CHECK(s.at("outer/other").calls == 1);
  CHECK(s.at("outer/other/inner").calls == 1);
  CHECK(perf::totals().calls == 7);
}

TEST_CASE("Names that would break a path are made safe", "[perf]") {
  perf::reset();
  {
    perf::Region a("read/decode");
    perf::Region b("");
    CHECK(perf::current_region() == "read.decode/(unnamed)");
  }
  { perf::Region a("read/decode"); }
  const auto s = perf::snapshot();
  REQUIRE(s.size() == 2);
  CHECK(s.at("read.decode").calls == 2);
  CHECK(s.at("read.decode/(unnamed)").calls == 1);
}

TEST_CASE("A parent region lasts at least as long as its children together", "[perf]") {
  perf::reset();
  {
    perf::Region parent("parent");
    for (int i = 0; i < 3; ++i) {
      perf::Region a("a");
      busy_wait(0.002);
    }
    perf::Region b("b");
    busy_wait(0.003);
  }
  const auto s = perf::snapshot();
  const double children = s.at("parent/a").seconds + s.at("parent/b").seconds;
  CHECK(s.at("parent/a").seconds >= 0.006);
  CHECK(s.at("parent/b").seconds >= 0.003);
  CHECK(s.at("parent").seconds >= children);
  CHECK(perf::totals().seconds == Approx(s.at("parent").seconds));
}

TEST_CASE("An open region reports the time elapsed so far", "[perf]") {
  perf::reset();
  perf::Region top("top");
  busy_wait(0.002);
  const auto s = perf::snapshot();
  CHECK(s.at("top").calls == 1);
  CHECK(s.at("top").seconds >= 0.002);
}

TEST_CASE("Regions on OpenMP worker threads are not recorded", "[perf][openmp]") {
  perf::reset();
  constexpr int kLoops = 50;
  int team = 0;
  {
    perf::Region top("top");
#pragma omp parallel num_threads(4)
    {
#pragma omp single
      team = omp_get_num_threads();
      perf::Region worker("worker");
      for (int i = 0; i < kLoops; ++i) {
        perf::Region inner("inner");
        perf::add_items(1);
      }
    }
  }
  INFO("OpenMP team of " << team << " threads");
  const auto s = perf::snapshot();
  // The main thread is the team's master: its regions count, the others' do not.
  REQUIRE(s.size() == 3);
  CHECK(s.at("top").calls == 1);
  CHECK(s.at("top/worker").calls == 1);
  CHECK(s.at("top/worker/inner").calls == kLoops);
  CHECK(s.at("top/worker/inner").items == kLoops);
  // Every thread's items reach the process totals.
  CHECK(perf::totals().items == static_cast<std::int64_t>(team) * kLoops);
}

TEST_CASE("A region made on another thread is a no-op", "[perf]") {
  perf::reset();
  perf::Region top("top");
  std::string seen;
  std::thread other([&] {
    perf::Region r("elsewhere");
    seen = perf::current_region();  // the watchdog's view of the main thread
  });
  other.join();
  CHECK(seen == "top");
  CHECK(perf::snapshot().count("top/elsewhere") == 0);
  CHECK(perf::snapshot().count("elsewhere") == 0);
}

TEST_CASE("Counters are attributed to the innermost open region", "[perf]") {
  perf::reset();
  {
    perf::Region a("a");
    perf::add_items(5);
    {
      perf::Region b("b");
      perf::add_items(7);
      perf::add_bytes_read(100);
      perf::add_bytes_written(50);
    }
    perf::add_bytes_read(1);
  }
  perf::add_items(2);  // outside every region: process totals only
  const auto s = perf::snapshot();
  CHECK(s.at("a").items == 5);
  CHECK(s.at("a").bytes_read == 1);
  CHECK(s.at("a").bytes_written == 0);
  CHECK(s.at("a/b").items == 7);
  CHECK(s.at("a/b").bytes_read == 100);
  CHECK(s.at("a/b").bytes_written == 50);
  const auto t = perf::totals();
  CHECK(t.items == 14);
  CHECK(t.bytes_read == 101);
  CHECK(t.bytes_written == 50);
}

TEST_CASE("Peak RSS is at least the memory just touched", "[perf]") {
  const std::int64_t before = perf::peak_rss_bytes();
  CHECK(before > 0);
  std::vector<char> block(64 << 20, 1);  // 64 MiB, written so it is resident
  // The block must exist: clang elides an allocation only its size is read
  // from (seen in the tsan build), so its memory is made visible here.
  asm volatile("" : : "r"(block.data()) : "memory");
  const std::int64_t after = perf::peak_rss_bytes();
  CHECK(after >= static_cast<std::int64_t>(block.size()));
  CHECK(after >= before);
}

TEST_CASE("The report table has one indented row per region and a peak-RSS line", "[perf]") {
  const json report = report_with({{"step", 2.0}, {"step/read", 1.0}, {"step/read/decode", 0.5}});
  REQUIRE_NOTHROW(perf::check_report(report, "run.json"));
  const auto lines = lines_of(perf::format_table(report));
  REQUIRE(lines.size() == 6);  // heading, column names, 3 regions, peak RSS
  CHECK(lines[0].find("test step") != std::string::npos);
  CHECK(lines[1].rfind("region", 0) == 0);
  CHECK(lines[2].rfind("step ", 0) == 0);
  CHECK(lines[3].rfind("  read ", 0) == 0);
  CHECK(lines[4].rfind("    decode ", 0) == 0);
  CHECK(lines[3].find("1.0000") != std::string::npos);  // max seconds
  CHECK(lines[3].find("1.33") != std::string::npos);    // imbalance
  CHECK(lines[3].find("2.000") != std::string::npos);   // GB/s: 2e9 bytes in 1 s
  CHECK(lines[5].find("peak RSS") == 0);
  CHECK(lines[5].find("3.0 MiB") != std::string::npos);
}

TEST_CASE("A report missing a field is rejected naming the field", "[perf]") {
  json report = report_with({{"step", 1.0}});
  report["regions"][0]["seconds"].erase("max");
  try {
    perf::check_report(report, "run.json");
    FAIL("check_report accepted a region without seconds.max");
  } catch (const tessera::FormatError& e) {
    CHECK(e.file() == "run.json");
    CHECK(e.object() == "regions[0].seconds.max");
  }
  json old = report_with({{"step", 1.0}});
  old["schema_version"] = 99;
  CHECK_THROWS_AS(perf::check_report(old, "old.json"), tessera::FormatError);
  CHECK_THROWS_AS(perf::check_report(json::array(), "x.json"), tessera::FormatError);
}

TEST_CASE("A region twice as slow as the baseline is a regression, 1.05x is not", "[perf]") {
  const json baseline =
      report_with({{"step", 1.0}, {"step/io", 1.0}, {"step/tiny", 0.0001}, {"step/gone", 1.0}});
  const json run = report_with({{"step", 2.0},
                                {"step/io", 1.05},
                                {"step/tiny", 0.0005},  // 5x, but below min_seconds in both
                                {"step/new", 3.0}});
  const auto flagged = perf::compare_to_baseline(run, baseline, 1.2, 1e-3);
  REQUIRE(flagged.size() == 1);
  CHECK(flagged[0].region == "step");
  CHECK(flagged[0].ratio == Approx(2.0));
  CHECK(flagged[0].baseline_seconds == Approx(1.0));
  CHECK(flagged[0].seconds == Approx(2.0));

  // With no noise floor the tiny region counts too.
  CHECK(perf::compare_to_baseline(run, baseline, 1.2, 0.0).size() == 2);
  // The comparison is of max seconds (what the job waited for), not avg.
  json spread = report_with({{"step", 1.0}});
  spread["regions"][0]["seconds"]["avg"] = 3.0;  // mean tripled, max unchanged
  CHECK(perf::compare_to_baseline(spread, report_with({{"step", 1.0}}), 1.2).empty());
  json later = report_with({{"step", 1.0}});
  later["regions"][0]["seconds"]["max"] = 2.0;  // slowest rank doubled, mean unchanged
  CHECK(perf::compare_to_baseline(later, report_with({{"step", 1.0}}), 1.2).size() == 1);
  // A run compared with itself has no regression.
  CHECK(perf::compare_to_baseline(run, run, 1.2).empty());

  const auto lines = lines_of(perf::format_comparison(run, baseline, 1.2, 1e-3));
  int slower = 0;
  for (const auto& line : lines) {
    if (line.find("SLOWER") != std::string::npos) {
      ++slower;
      CHECK(line.rfind("step ", 0) == 0);
    }
  }
  CHECK(slower == 1);
  CHECK(lines.back().find("1 region(s) slower") != std::string::npos);
}

// Not a test: measures the cost of one enter/exit pair. Run with
//   unit_test_perf "[benchmark]"
TEST_CASE("Cost of a region entry", "[.][benchmark]") {
  perf::reset();
  constexpr int kPairs = 2000000;
  perf::Region top("top");
  const double t0 = perf::now();
  for (int i = 0; i < kPairs; ++i) {
    perf::Region r("loop");
  }
  const double t1 = perf::now();
  for (int i = 0; i < kPairs; ++i) {
    perf::Region a("a");
    perf::Region b("b.with.a.longer.name");
  }
  const double t2 = perf::now();
  std::printf("perf::Region enter+exit: %.1f ns (one level), %.1f ns per pair (nested)\n",
              (t1 - t0) / kPairs * 1e9, (t2 - t1) / (2.0 * kPairs) * 1e9);
  CHECK(perf::snapshot().at("top/loop").calls == kPairs);
}
