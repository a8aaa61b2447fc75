// Cross-rank reduction of perf regions, the report table and the baseline
// comparison. The JSON layout is specified in docs/perf-report.md.
#include "tessera/core/perf_report.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <set>
#include <sstream>
#include <unordered_map>

#include "tessera/build_info.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/perf.hpp"

namespace tessera::perf {
namespace {

using nlohmann::json;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) {
      out.push_back(line);
    }
  }
  return out;
}

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string leaf_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

int depth_of(const std::string& path) {
  return static_cast<int>(std::count(path.begin(), path.end(), '/'));
}

// Union of every rank's region paths (each list in first-entry order), laid
// out as a tree walk: parents before children, siblings in the order they
// were first seen (rank 0 first). Execution order reads better than
// alphabetical order and does not depend on the rank count for a given rank 0.
std::vector<std::string> union_in_tree_order(const std::vector<std::string>& per_rank) {
  std::vector<std::string> seen;
  std::set<std::string> known;
  for (const std::string& list : per_rank) {
    for (std::string& path : split_lines(list)) {
      if (known.insert(path).second) {
        seen.push_back(std::move(path));
      }
    }
  }
  std::unordered_map<std::string, std::vector<std::string>> children;
  std::vector<std::string> roots;
  for (const std::string& path : seen) {
    const std::string parent = parent_of(path);
    if (parent.empty() || known.count(parent) == 0) {
      roots.push_back(path);
    } else {
      children[parent].push_back(path);
    }
  }
  std::vector<std::string> out;
  out.reserve(seen.size());
  std::vector<std::string> stack(roots.rbegin(), roots.rend());
  while (!stack.empty()) {
    std::string path = std::move(stack.back());
    stack.pop_back();
    const auto it = children.find(path);
    if (it != children.end()) {
      stack.insert(stack.end(), it->second.rbegin(), it->second.rend());
    }
    out.push_back(std::move(path));
  }
  return out;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) {
    return "unknown";
  }
  return buf;
}

// ISO 8601 UTC, e.g. "2026-11-22T03:20:04Z".
std::string utc_timestamp(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json min_avg_max(const std::vector<double>& v) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  double sum = 0.0;
  for (double x : v) {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    sum += x;
  }
  if (v.empty()) {
    return json{{"min", 0.0}, {"avg", 0.0}, {"max", 0.0}};
  }
  // Rounding of the sum can put the mean an ulp outside [min, max] (three
  // equal values); readers rely on min <= avg <= max.
  const double avg = std::clamp(sum / static_cast<double>(v.size()), lo, hi);
  return json{{"min", lo}, {"avg", avg}, {"max", hi}};
}

// Index of the first largest value: ties go to the lowest rank, so the
// answer is deterministic.
int argmax(const std::vector<double>& v) {
  return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

double gb_per_s(std::int64_t bytes, double seconds) {
  return (bytes > 0 && seconds > 0.0) ? static_cast<double>(bytes) / seconds / 1e9 : 0.0;
}

// Per-rank figures of one region, gathered on rank 0.
constexpr int kCounts = 4;  // calls, items, bytes read, bytes written

json region_row(const std::string& path, int nranks, int nregions, int r,
                const std::vector<double>& seconds, const std::vector<std::int64_t>& counts) {
  std::vector<double> secs(nranks);
  std::vector<double> items(nranks);
  std::int64_t calls = 0;
  std::int64_t items_total = 0;
  std::int64_t bytes_read = 0;
  std::int64_t bytes_written = 0;
  int present = 0;
  for (int rank = 0; rank < nranks; ++rank) {
    secs[rank] = seconds[static_cast<std::size_t>(rank) * nregions + r];
    const std::int64_t* c = &counts[(static_cast<std::size_t>(rank) * nregions + r) * kCounts];
    calls += c[0];
    present += c[0] > 0 ? 1 : 0;
    items[rank] = static_cast<double>(c[1]);
    items_total += c[1];
    bytes_read += c[2];
    bytes_written += c[3];
  }
  json s = min_avg_max(secs);
  const double avg = s["avg"].get<double>();
  const double max = s["max"].get<double>();
  json it = min_avg_max(items);
  it["total"] = items_total;
  return json{{"path", path},
              {"name", leaf_of(path)},
              {"depth", depth_of(path)},
              {"ranks", present},
              {"calls", calls},
              {"seconds", s},
              {"imbalance", avg > 0.0 ? std::max(1.0, max / avg) : 1.0},
              {"slowest_rank", argmax(secs)},
              {"items", it},
              {"bytes_read", bytes_read},
              {"bytes_written", bytes_written},
              {"read_gb_per_s", gb_per_s(bytes_read, max)},
              {"write_gb_per_s", gb_per_s(bytes_written, max)}};
}

// Items a rank did anywhere under region r (the region and its descendants).
// A step's top-level region lasts the whole step on every rank, idle or not,
// so its time imbalance reads ~1 even when most ranks had nothing to do; the
// items under it say how the work itself was spread.
json subtree_work(const std::vector<std::string>& paths, int r, int nranks,
                  const std::vector<std::int64_t>& counts) {
  const int nregions = static_cast<int>(paths.size());
  const std::string prefix = paths[r] + "/";
  std::vector<double> items(nranks, 0.0);
  for (int q = 0; q < nregions; ++q) {
    if (q != r && paths[q].compare(0, prefix.size(), prefix) != 0)
      continue;
    for (int rank = 0; rank < nranks; ++rank)
      items[rank] += static_cast<double>(
          counts[(static_cast<std::size_t>(rank) * nregions + q) * kCounts + 1]);
  }
  double total = 0.0;
  int idle = 0;
  for (double v : items) {
    total += v;
    idle += v == 0.0 ? 1 : 0;
  }
  json w = min_avg_max(items);
  const double avg = w["avg"].get<double>();
  w["total"] = static_cast<std::int64_t>(total);
  w["idle_ranks"] = total > 0.0 ? idle : 0;
  w["imbalance"] = avg > 0.0 ? std::max(1.0, w["max"].get<double>() / avg) : 1.0;
  return w;
}

json run_metadata(const Comm& comm, const RunInfo& info, double wall_seconds,
                  const std::vector<std::string>& hosts) {
  std::set<std::string> unique_hosts(hosts.begin(), hosts.end());
  const char* job = std::getenv("SLURM_JOB_ID");
  const auto start = std::chrono::system_clock::now() -
                     std::chrono::duration_cast<std::chrono::system_clock::duration>(
                         std::chrono::duration<double>(wall_seconds));
  json options = json::object();
  for (const auto& [k, v] : info.options) {
    options[k] = v;
  }
  json inputs = json::object();
  for (const auto& [k, v] : info.input_bytes) {
    inputs[k] = v;
  }
  return json{{"tessera_version", build::kVersion},
              {"git_sha", build::git_sha()},
              {"compiler", build::kCompiler},
              {"build_type", build::kBuildType},
              {"codegen", build::kCodegen},
              {"mpi_library", Runtime::library_version()},
              {"ranks", comm.size()},
              {"threads", info.threads},
              {"hosts", std::vector<std::string>(unique_hosts.begin(), unique_hosts.end())},
              {"slurm_job_id", job != nullptr && *job != '\0' ? json(job) : json(nullptr)},
              {"start_utc", utc_timestamp(start)},
              {"command", info.command},
              {"options", options},
              {"input_bytes", inputs},
              {"wall_seconds", wall_seconds}};
}

}  // namespace

json reduce_report(const Comm& comm, const RunInfo& info, double wall_seconds) {
  const std::vector<RegionRecord> mine = records();

  // 1. The union of region paths, decided on rank 0 and sent to everyone.
  std::string listing;
  for (const RegionRecord& r : mine) {
    listing += r.path;
    listing += '\n';
  }
  const std::vector<std::string> listings = comm.gather_strings(listing, 0);
  std::string union_text;
  if (comm.is_root()) {
    for (const std::string& path : union_in_tree_order(listings)) {
      union_text += path;
      union_text += '\n';
    }
  }
  comm.bcast(union_text, 0);
  const std::vector<std::string> paths = split_lines(union_text);
  const int nregions = static_cast<int>(paths.size());

  // 2. This rank's figures in union order (zeros where it never entered).
  std::unordered_map<std::string, const RegionStats*> by_path;
  for (const RegionRecord& r : mine) {
    by_path.emplace(r.path, &r.stats);
  }
  std::vector<double> my_seconds(nregions, 0.0);
  std::vector<std::int64_t> my_counts(static_cast<std::size_t>(nregions) * kCounts, 0);
  for (int i = 0; i < nregions; ++i) {
    const auto it = by_path.find(paths[i]);
    if (it == by_path.end()) {
      continue;
    }
    const RegionStats& s = *it->second;
    my_seconds[i] = s.seconds;
    std::int64_t* c = &my_counts[static_cast<std::size_t>(i) * kCounts];
    c[0] = s.calls;
    c[1] = s.items;
    c[2] = s.bytes_read;
    c[3] = s.bytes_written;
  }

  // 3. Gather everything to rank 0; the table is small (ranks x regions).
  const int nranks = comm.size();
  const std::size_t all = comm.is_root() ? static_cast<std::size_t>(nranks) * nregions : 0;
  std::vector<double> seconds(all);
  std::vector<std::int64_t> counts(all * kCounts);
  check_mpi(MPI_Gather(my_seconds.data(), nregions, MPI_DOUBLE, seconds.data(), nregions,
                       MPI_DOUBLE, 0, comm.handle()),
            "MPI_Gather (perf seconds)");
  check_mpi(MPI_Gather(my_counts.data(), nregions * kCounts, MPI_INT64_T, counts.data(),
                       nregions * kCounts, MPI_INT64_T, 0, comm.handle()),
            "MPI_Gather (perf counts)");

  const RegionStats process = totals();
  std::int64_t my_totals[3] = {process.items, process.bytes_read, process.bytes_written};
  std::int64_t sum_totals[3] = {0, 0, 0};
  check_mpi(MPI_Reduce(my_totals, sum_totals, 3, MPI_INT64_T, MPI_SUM, 0, comm.handle()),
            "MPI_Reduce (perf totals)");

  const std::vector<std::int64_t> rss = comm.gather(peak_rss_bytes(), 0);
  const std::vector<std::string> hosts = comm.gather_strings(host_name(), 0);

  if (!comm.is_root()) {
    return nullptr;
  }

  json regions = json::array();
  for (int r = 0; r < nregions; ++r) {
    json row = region_row(paths[r], nranks, nregions, r, seconds, counts);
    row["work"] = subtree_work(paths, r, nranks, counts);
    regions.push_back(std::move(row));
  }
  const std::vector<double> rss_d(rss.begin(), rss.end());
  json memory = {{"peak_rss_bytes", min_avg_max(rss_d)}, {"max_rank", argmax(rss_d)}};
  json total = {
      {"items", sum_totals[0]}, {"bytes_read", sum_totals[1]}, {"bytes_written", sum_totals[2]}};
  return json{{"schema_version", kSchemaVersion},
              {"run", run_metadata(comm, info, wall_seconds, hosts)},
              {"memory", memory},
              {"totals", total},
              {"regions", regions}};
}

// ---------------------------------------------------------------------------
// Reading reports back.

namespace {

enum class Kind { kObject, kArray, kString, kInteger, kNumber };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kObject:
      return "an object";
    case Kind::kArray:
      return "an array";
    case Kind::kString:
      return "a string";
    case Kind::kInteger:
      return "an integer";
    case Kind::kNumber:
      return "a number";
  }
  return "?";
}

bool is_kind(const json& v, Kind k) {
  switch (k) {
    case Kind::kObject:
      return v.is_object();
    case Kind::kArray:
      return v.is_array();
    case Kind::kString:
      return v.is_string();
    case Kind::kInteger:
      return v.is_number_integer();
    case Kind::kNumber:
      return v.is_number();
  }
  return false;
}

// Returns node[key] after checking it exists and has kind `k`.
const json& require(const json& node, const std::string& where, const char* key, Kind k,
                    const std::string& file) {
  const std::string field = where.empty() ? key : where + "." + key;
  const auto it = node.find(key);
  if (it == node.end()) {
    throw FormatError("missing field in perf report", file, field);
  }
  if (!is_kind(*it, k)) {
    throw FormatError(fmt::format("perf report field is not {}", kind_name(k)), file, field);
  }
  return *it;
}

void require_min_avg_max(const json& node, const std::string& where, const char* key,
                         const std::string& file) {
  const json& m = require(node, where, key, Kind::kObject, file);
  const std::string here = where + "." + key;
  for (const char* part : {"min", "avg", "max"}) {
    require(m, here, part, Kind::kNumber, file);
  }
}

double max_seconds(const json& region) {
  return region.at("seconds").at("max").get<double>();
}

// Seconds aligned on the decimal point for the usual range of step times
// (1 ms to hours); shorter regions in exponent form rather than as 0.0000.
std::string seconds_text(double s) {
  if (s >= 100.0) {
    return fmt::format("{:.1f}", s);
  }
  if (s >= 1e-3 || s == 0.0) {
    return fmt::format("{:.4f}", s);
  }
  return fmt::format("{:.2e}", s);
}

// GB/s with three decimals, small rates in exponent form.
std::string rate_text(double gbps) {
  return gbps >= 1e-3 ? fmt::format("{:.3f}", gbps) : fmt::format("{:.2e}", gbps);
}

std::string without_trailing_blanks(std::string line) {
  line.erase(line.find_last_not_of(' ') + 1);
  return line;
}

std::string bytes_text(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024.0 && u < 4) {
    b /= 1024.0;
    ++u;
  }
  return fmt::format("{:.1f} {}", b, units[u]);
}

std::string indented(const json& region) {
  const int depth = region.at("depth").get<int>();
  return std::string(static_cast<std::size_t>(2 * depth), ' ') +
         region.at("name").get<std::string>();
}

std::size_t name_width(const json& regions, std::size_t at_least) {
  std::size_t w = at_least;
  for (const json& r : regions) {
    w = std::max(w, indented(r).size());
  }
  return w;
}

const json* find_region(const json& report, const std::string& path) {
  for (const json& r : report.at("regions")) {
    if (r.at("path").get<std::string>() == path) {
      return &r;
    }
  }
  return nullptr;
}

// A row of the comparison: the row's label, both times (NaN when absent).
struct Pair {
  std::string path;
  std::string label;
  double base = std::nan("");
  double run = std::nan("");
};

std::vector<Pair> pair_regions(const json& run, const json& baseline) {
  std::vector<Pair> rows;
  for (const json& r : run.at("regions")) {
    Pair p{r.at("path").get<std::string>(), indented(r)};
    p.run = max_seconds(r);
    if (const json* b = find_region(baseline, p.path)) {
      p.base = max_seconds(*b);
    }
    rows.push_back(p);
  }
  for (const json& b : baseline.at("regions")) {
    const std::string path = b.at("path").get<std::string>();
    if (find_region(run, path) == nullptr) {
      Pair p{path, indented(b)};
      p.base = max_seconds(b);
      rows.push_back(p);
    }
  }
  return rows;
}

bool is_noise(double base, double run, double min_seconds) {
  return (base < min_seconds && run < min_seconds) || (base == 0.0 && run == 0.0);
}

double ratio_of(double base, double run) {
  return base > 0.0 ? run / base : std::numeric_limits<double>::infinity();
}

}  // namespace

void check_report(const nlohmann::json& report, const std::string& file) {
  if (!report.is_object()) {
    throw FormatError("perf report is not a JSON object", file);
  }
  const int version = require(report, "", "schema_version", Kind::kInteger, file).get<int>();
  if (version != kSchemaVersion) {
    throw FormatError(fmt::format("perf report schema version {} is not supported (this tessera "
                                  "reads version {})",
                                  version, kSchemaVersion),
                      file, "schema_version");
  }
  const json& run = require(report, "", "run", Kind::kObject, file);
  for (const char* key : {"tessera_version", "git_sha", "command"}) {
    require(run, "run", key, Kind::kString, file);
  }
  for (const char* key : {"ranks", "threads"}) {
    require(run, "run", key, Kind::kInteger, file);
  }
  require(run, "run", "wall_seconds", Kind::kNumber, file);
  const json& memory = require(report, "", "memory", Kind::kObject, file);
  require_min_avg_max(memory, "memory", "peak_rss_bytes", file);
  require(memory, "memory", "max_rank", Kind::kInteger, file);
  const json& regions = require(report, "", "regions", Kind::kArray, file);
  for (std::size_t i = 0; i < regions.size(); ++i) {
    const json& r = regions[i];
    const std::string where = fmt::format("regions[{}]", i);
    if (!r.is_object()) {
      throw FormatError("perf report region is not an object", file, where);
    }
    for (const char* key : {"path", "name"}) {
      require(r, where, key, Kind::kString, file);
    }
    for (const char* key : {"depth", "calls", "slowest_rank", "bytes_read", "bytes_written"}) {
      require(r, where, key, Kind::kInteger, file);
    }
    require_min_avg_max(r, where, "seconds", file);
    require(r, where, "imbalance", Kind::kNumber, file);
    require(require(r, where, "items", Kind::kObject, file), where + ".items", "total",
            Kind::kInteger, file);
    if (r.at("depth").get<int>() < 0) {
      throw FormatError("perf report region depth is negative", file, where + ".depth");
    }
  }
}

std::string format_table(const nlohmann::json& report) {
  const json& run = report.at("run");
  const json& regions = report.at("regions");
  const std::size_t w = name_width(regions, 6);
  std::string out = fmt::format(
      "tessera {} ({}): {} on {} rank(s) x {} thread(s), wall {} s\n",
      run.at("tessera_version").get<std::string>(), run.at("git_sha").get<std::string>(),
      run.at("command").get<std::string>(), run.at("ranks").get<int>(),
      run.at("threads").get<int>(), seconds_text(run.at("wall_seconds").get<double>()));
  out += fmt::format("{:<{}} {:>8} {:>10} {:>10} {:>10} {:>7} {:>7} {:>12} {:>8}\n", "region", w,
                     "calls", "min s", "avg s", "max s", "imbal", "slowest", "items", "GB/s");
  for (const json& r : regions) {
    const json& s = r.at("seconds");
    const auto bytes =
        r.at("bytes_read").get<std::int64_t>() + r.at("bytes_written").get<std::int64_t>();
    const std::string rate =
        bytes > 0 ? rate_text(gb_per_s(bytes, s.at("max").get<double>())) : "-";
    out += fmt::format(
        "{:<{}} {:>8} {:>10} {:>10} {:>10} {:>7.2f} {:>7} {:>12} {:>8}\n", indented(r), w,
        r.at("calls").get<std::int64_t>(), seconds_text(s.at("min").get<double>()),
        seconds_text(s.at("avg").get<double>()), seconds_text(s.at("max").get<double>()),
        r.at("imbalance").get<double>(), r.at("slowest_rank").get<int>(),
        r.at("items").at("total").get<std::int64_t>(), rate);
  }
  const json& rss = report.at("memory").at("peak_rss_bytes");
  out += fmt::format(
      "peak RSS: min {}, avg {}, max {} (rank {})\n", bytes_text(rss.at("min").get<double>()),
      bytes_text(rss.at("avg").get<double>()), bytes_text(rss.at("max").get<double>()),
      report.at("memory").at("max_rank").get<int>());
  // A top-level step whose items left ranks idle says so: its time imbalance
  // cannot (every rank waits to the end of the step).
  for (const json& r : regions) {
    if (r.at("depth").get<int>() != 0 || !r.contains("work"))
      continue;
    const json& work = r.at("work");
    const int idle = work.at("idle_ranks").get<int>();
    if (idle > 0)
      out += fmt::format("work in {}: {} of {} ranks had items ({} idle), item imbalance {:.2f}\n",
                         r.at("path").get<std::string>(), run.at("ranks").get<int>() - idle,
                         run.at("ranks").get<int>(), idle, work.at("imbalance").get<double>());
  }
  return out;
}

std::vector<Regression> compare_to_baseline(const nlohmann::json& run,
                                            const nlohmann::json& baseline, double threshold,
                                            double min_seconds) {
  std::vector<Regression> out;
  for (const Pair& p : pair_regions(run, baseline)) {
    if (std::isnan(p.base) || std::isnan(p.run) || is_noise(p.base, p.run, min_seconds)) {
      continue;
    }
    const double ratio = ratio_of(p.base, p.run);
    if (ratio > threshold) {
      out.push_back(Regression{p.path, p.base, p.run, ratio});
    }
  }
  return out;
}

std::string format_comparison(const nlohmann::json& run, const nlohmann::json& baseline,
                              double threshold, double min_seconds) {
  const std::vector<Pair> rows = pair_regions(run, baseline);
  std::size_t w = 6;
  for (const Pair& p : rows) {
    w = std::max(w, p.label.size());
  }
  std::string out = fmt::format("{:<{}} {:>12} {:>12} {:>8}  {}\n", "region", w, "baseline s",
                                "run s", "ratio", "flag");
  std::vector<std::string> slower;
  for (const Pair& p : rows) {
    const bool has_base = !std::isnan(p.base);
    const bool has_run = !std::isnan(p.run);
    std::string ratio = "-";
    std::string flag;
    if (!has_base) {
      flag = "new";
    } else if (!has_run) {
      flag = "absent";
    } else if (is_noise(p.base, p.run, min_seconds)) {
      flag = "noise";
    } else {
      const double r = ratio_of(p.base, p.run);
      ratio = fmt::format("{:.2f}", r);
      if (r > threshold) {
        flag = "SLOWER";
        slower.push_back(p.path);
      }
    }
    out += without_trailing_blanks(fmt::format("{:<{}} {:>12} {:>12} {:>8}  {}", p.label, w,
                                               has_base ? seconds_text(p.base) : "-",
                                               has_run ? seconds_text(p.run) : "-", ratio, flag)) +
           "\n";
  }
  if (slower.empty()) {
    out += fmt::format("no region slower than the baseline by more than {:g}x\n", threshold);
  } else {
    out += fmt::format("{} region(s) slower than the baseline by more than {:g}x: {}\n",
                       slower.size(), threshold, fmt::join(slower, ", "));
  }
  return out;
}

}  // namespace tessera::perf
