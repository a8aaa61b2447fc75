// The performance layer: one region type, counters and peak memory.
//
//   {
//     perf::Region r("balfind.fit");   // nested RAII scope, ~0.1 us
//     ...
//     perf::add_items(nqso);           // counted against the innermost region
//     perf::add_bytes_read(nbytes);
//   }
//
// Regions are recorded on the main thread only (MPI is FUNNELED: the main
// thread is the one that also drives the distributed steps); a Region made on
// another thread is a no-op, so it is safe inside OpenMP loops. The main
// thread is the thread that initialised the program's static objects (the one
// that runs main()).
//
// A region is identified by its path: the path of the region open around it,
// "/", its name ("healpix.balfind/fit"). The same name under two parents is
// two rows; entering the same name again under the same parent adds to one
// row (calls, seconds). A "/" inside a name is recorded as "." and an empty
// name as "(unnamed)". Regions must be
// destroyed in the reverse order of their construction, which plain scoped
// objects always are (exceptions included).
//
// Counters (items, bytes) may be added from any thread. They always go into
// the atomic process totals (totals()). Only counts added on the main thread
// are also attributed to the innermost open region; counts from OpenMP worker
// threads reach the process totals only. To attribute work done in a parallel
// loop, count it on the main thread after the loop.
//
// Thread-safety: Region, the add_* counters and current_region() may be used
// from any thread. records(), snapshot(), totals() and reset() are for the
// main thread.
//
// Cost: one enter/exit pair is two steady_clock reads (20-40 ns each) plus
// ~20 ns of bookkeeping: the thread check and a scan of the parent's few
// children by name (figures in docs/perf-report.md).
//
// At the end of a run `perf_report.hpp` reduces these across ranks.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::perf {

/// Accumulated figures of one region on one rank.
struct RegionStats {
  std::int64_t calls = 0;  ///< times the region was entered
  double seconds = 0.0;    ///< inclusive wall seconds (children included)
  std::int64_t items = 0;  ///< add_items() on the main thread while innermost
  std::int64_t bytes_read = 0;
  std::int64_t bytes_written = 0;
};

/// A timed scope. On the main thread it opens the region `name` under the
/// innermost open region and closes it in the destructor; elsewhere it does
/// nothing.
class Region {
 public:
  explicit Region(const char* name);
  explicit Region(const std::string& name);
  ~Region();
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;

 private:
  void enter(std::string_view name);
  int slot_ = -1;  // index into the registry, -1 when not recorded
  double start_ = 0.0;
};

/// Adds `n` work items (rows, pixels, points) to the process total and, on the
/// main thread, to the innermost open region.
void add_items(std::int64_t n);
/// Adds `n` bytes read from input files (same attribution as add_items).
void add_bytes_read(std::int64_t n);
/// Adds `n` bytes written to output files (same attribution as add_items).
void add_bytes_written(std::int64_t n);

/// Path of the innermost open region on the main thread ("" if none).
/// Safe to call from any thread (the watchdog does).
std::string current_region();

/// One region of this rank with its path.
struct RegionRecord {
  std::string path;
  RegionStats stats;
};

/// This rank's regions in the order they were first entered (a parent always
/// comes before its children). Regions still open include the time elapsed so
/// far, so a report made inside the top region is complete. Main thread only.
std::vector<RegionRecord> records();
/// Snapshot of this rank's regions, by path (same figures as records()).
/// Main thread only.
std::map<std::string, RegionStats> snapshot();
/// Totals over the whole process: items and bytes from every thread; calls is
/// the number of region entries recorded and seconds the time spent inside
/// top-level regions (open ones included). Main thread only.
RegionStats totals();
/// Peak resident set size of this process in bytes (VmHWM, getrusage fallback).
std::int64_t peak_rss_bytes();
/// Seconds since the process started its perf clock (static initialisation).
double now();
/// Forgets every region and counter (tests). Main thread only, with no Region
/// open. Paths handed out before stay valid for concurrent current_region().
void reset();

}  // namespace tessera::perf
