// perf::Region registry: one entry per region path, created on first entry and
// kept until reset(). The hot path (enter/exit on the main thread) is two
// steady_clock reads, a scan of the parent's few children by name and a
// release store of the innermost path for the watchdog.
#include "tessera/core/perf.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <thread>

namespace tessera::perf {
namespace {

using Clock = std::chrono::steady_clock;

struct Child {
  std::string name;
  int slot;
};

struct Entry {
  std::string path;  // immutable once published: current_region() reads it from other threads
  int parent = -1;
  double open_since = -1.0;  // perf clock at the current entry, < 0 while closed
  RegionStats stats;
  std::vector<Child> children;
};

struct Registry {
  Clock::time_point start = Clock::now();
  std::thread::id main_thread = std::this_thread::get_id();

  // Touched by the main thread only.
  std::vector<std::unique_ptr<Entry>> entries;
  std::vector<Child> roots;
  int current = -1;
  // Entries forgotten by reset(): kept alive so a path pointer that another
  // thread loaded just before the reset is never freed under it.
  std::vector<std::unique_ptr<Entry>> retired;

  // Read by any thread.
  std::atomic<const std::string*> current_path{nullptr};
  std::atomic<std::int64_t> items{0};
  std::atomic<std::int64_t> bytes_read{0};
  std::atomic<std::int64_t> bytes_written{0};

  double seconds() const { return std::chrono::duration<double>(Clock::now() - start).count(); }
  bool on_main_thread() const { return std::this_thread::get_id() == main_thread; }

  int add(std::string_view name) {
    // The path's components must stay unambiguous: "/" separates them and
    // reports require non-empty names. The child list keeps the name as given.
    std::string component = name.empty() ? std::string("(unnamed)") : std::string(name);
    std::replace(component.begin(), component.end(), '/', '.');
    auto entry = std::make_unique<Entry>();
    entry->parent = current;
    entry->path = current < 0 ? component : entries[current]->path + "/" + component;
    const int slot = static_cast<int>(entries.size());
    entries.push_back(std::move(entry));
    std::vector<Child>& siblings = current < 0 ? roots : entries[current]->children;
    siblings.push_back(Child{std::string(name), slot});
    return slot;
  }

  // Figures of one entry with the running time of an open entry included.
  RegionStats stats_now(const Entry& e, double t) const {
    RegionStats s = e.stats;
    if (e.open_since >= 0.0) {
      s.seconds += t - e.open_since;
    }
    return s;
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

// Static initialisation runs on the main thread: this fixes the main thread
// id and the start of the perf clock before any worker thread exists.
[[maybe_unused]] const bool g_registry_ready = (registry(), true);

void attribute(std::int64_t RegionStats::*field, std::atomic<std::int64_t>& total, std::int64_t n) {
  Registry& reg = registry();
  total.fetch_add(n, std::memory_order_relaxed);
  if (reg.on_main_thread() && reg.current >= 0) {
    reg.entries[reg.current]->stats.*field += n;
  }
}

}  // namespace

Region::Region(const char* name) {
  enter(name);
}

Region::Region(const std::string& name) {
  enter(name);
}

void Region::enter(std::string_view name) {
  Registry& reg = registry();
  if (!reg.on_main_thread()) {
    return;
  }
  const std::vector<Child>& siblings =
      reg.current < 0 ? reg.roots : reg.entries[reg.current]->children;
  int slot = -1;
  for (const Child& c : siblings) {
    if (c.name == name) {
      slot = c.slot;
      break;
    }
  }
  if (slot < 0) {
    slot = reg.add(name);
  }
  Entry& e = *reg.entries[slot];
  start_ = reg.seconds();
  e.open_since = start_;
  ++e.stats.calls;
  reg.current = slot;
  reg.current_path.store(&e.path, std::memory_order_release);
  slot_ = slot;
}

Region::~Region() {
  if (slot_ < 0) {
    return;
  }
  Registry& reg = registry();
  if (static_cast<std::size_t>(slot_) >= reg.entries.size()) {
    return;  // reset() ran while this region was open (tests only)
  }
  Entry& e = *reg.entries[slot_];
  e.stats.seconds += reg.seconds() - start_;
  e.open_since = -1.0;
  reg.current = e.parent;
  reg.current_path.store(e.parent < 0 ? nullptr : &reg.entries[e.parent]->path,
                         std::memory_order_release);
}

void add_items(std::int64_t n) {
  attribute(&RegionStats::items, registry().items, n);
}

void add_bytes_read(std::int64_t n) {
  attribute(&RegionStats::bytes_read, registry().bytes_read, n);
}

void add_bytes_written(std::int64_t n) {
  attribute(&RegionStats::bytes_written, registry().bytes_written, n);
}

std::string current_region() {
  const std::string* path = registry().current_path.load(std::memory_order_acquire);
  return path == nullptr ? std::string() : *path;
}

std::vector<RegionRecord> records() {
  const Registry& reg = registry();
  const double t = reg.seconds();
  std::vector<RegionRecord> out;
  out.reserve(reg.entries.size());
  for (const auto& e : reg.entries) {
    out.push_back(RegionRecord{e->path, reg.stats_now(*e, t)});
  }
  return out;
}

std::map<std::string, RegionStats> snapshot() {
  std::map<std::string, RegionStats> out;
  for (RegionRecord& r : records()) {
    out.emplace(std::move(r.path), r.stats);
  }
  return out;
}

RegionStats totals() {
  const Registry& reg = registry();
  const double t = reg.seconds();
  RegionStats s;
  for (const auto& e : reg.entries) {
    s.calls += e->stats.calls;
    if (e->parent < 0) {
      s.seconds += reg.stats_now(*e, t).seconds;
    }
  }
  s.items = reg.items.load(std::memory_order_relaxed);
  s.bytes_read = reg.bytes_read.load(std::memory_order_relaxed);
  s.bytes_written = reg.bytes_written.load(std::memory_order_relaxed);
  return s;
}

std::int64_t peak_rss_bytes() {
  // VmHWM ("high water mark") is the peak resident set in kB (proc(5)).
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      std::int64_t kb = 0;
      if (status >> kb) {
        return kb * 1024;
      }
      break;
    }
    status.ignore(1 << 16, '\n');
  }
  // getrusage(2): ru_maxrss is in kB on Linux.
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;
  }
  return 0;
}

double now() {
  return registry().seconds();
}

void reset() {
  Registry& reg = registry();
  reg.current_path.store(nullptr, std::memory_order_release);
  for (auto& e : reg.entries) {
    reg.retired.push_back(std::move(e));
  }
  reg.entries.clear();
  reg.roots.clear();
  reg.current = -1;
  reg.items.store(0, std::memory_order_relaxed);
  reg.bytes_read.store(0, std::memory_order_relaxed);
  reg.bytes_written.store(0, std::memory_order_relaxed);
}

}  // namespace tessera::perf
