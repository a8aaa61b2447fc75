#include "tessera/subband/stream.hpp"

#include <chrono>
#include <sstream>
#include <thread>

#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/subband/stream_queue.hpp"

namespace tessera::subband {

namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// What rank 0 tells the others each cycle.
std::string encode(const SubbandGroup& g, bool partial) {
  std::string s = "convert\n" + g.stamp + "\n" + (partial ? "1" : "0") + "\n";
  for (const auto& f : g.files)
    s += f.path.string() + "\n";
  for (const auto& d : g.duplicates)
    s += "#" + d + "\n";
  return s;
}

SubbandGroup decode(const std::string& s, bool& partial) {
  std::stringstream in(s);
  std::string line;
  std::getline(in, line);  // "convert"
  SubbandGroup g;
  std::getline(in, g.stamp);
  std::getline(in, line);
  partial = line == "1";
  g.unix_seconds = parse_stamp(g.stamp).value_or(0.0);
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    if (line[0] == '#') {
      g.duplicates.push_back(line.substr(1));
    } else if (auto f = parse_subband_name(line)) {
      g.files.push_back(*f);
    }
  }
  return g;
}

}  // namespace

std::int64_t run_stream(const Comm& comm, const StreamOptions& o) {
  // Only rank 0 touches the queue; each of its steps is a phase, so a bad
  // --state or an unreadable --watch fails every rank instead of leaving
  // the others waiting for the next command.
  std::unique_ptr<StreamQueue> queue;
  run_phase(comm, "stream: open the queue", [&] {
    if (!comm.is_root())
      return;
    std::filesystem::create_directories(o.out);
    if (!o.state.parent_path().empty())
      std::filesystem::create_directories(o.state.parent_path());
    queue = std::make_unique<StreamQueue>(o);
    log::info("stream: watching {} -> {} (state {})", o.watch.string(), o.out.string(),
              o.state.string());
  });
  std::int64_t converted = 0;
  double idle_since = now_seconds();
  bool warned_disk = false;
  for (;;) {
    std::string command = "idle";
    run_phase(comm, "stream: scan", [&] {
      if (!comm.is_root())
        return;
      queue->scan();
      const auto space = std::filesystem::space(o.out);
      if (static_cast<double>(space.available) < o.min_free_bytes) {
        if (!warned_disk) {
          log::warn("stream: {} has {:.2f} GB free (< {:.2f} GB): paused", o.out.string(),
                    static_cast<double>(space.available) / 1e9, o.min_free_bytes / 1e9);
        }
        warned_disk = true;
      } else {
        warned_disk = false;
        bool partial = false;
        SubbandGroup g = queue->next(partial);
        if (!g.stamp.empty())
          command = encode(g, partial);
      }
      if (command == "idle" && o.exit_when_idle > 0 && queue->open_groups() == 0 &&
          now_seconds() - idle_since > o.exit_when_idle) {
        command = "stop";
      }
    });
    comm.bcast(command);
    if (command == "stop")
      break;
    if (command == "idle") {
      std::this_thread::sleep_for(std::chrono::duration<double>(o.interval));
      continue;
    }
    bool partial = false;
    const SubbandGroup g = decode(command, partial);
    ConvertOptions copt = o.convert;
    copt.allow_partial = partial;
    const double t0 = now_seconds();
    ConvertResult r{};
    std::string error;
    bool permanent = false;
    try {
      r = convert_group(comm, g, o.out, copt);
      ++converted;
    } catch (const Error& e) {
      // Bad input does not get better by retrying; I/O trouble may.
      permanent = dynamic_cast<const FormatError*>(&e) != nullptr;
      error = e.what();
    }
    run_phase(comm, "stream: record the group", [&] {
      if (!comm.is_root())
        return;
      if (!error.empty()) {
        queue->failed(g.stamp, error, permanent);
        return;
      }
      queue->completed(g.stamp, r, now_seconds() - t0);
      log::info("stream: group {} {} in {:.2f} s", g.stamp,
                r.skipped ? "already converted (up to date)" : "converted", now_seconds() - t0);
    });
    idle_since = now_seconds();
  }
  return converted;
}

}  // namespace tessera::subband
