#include "tessera/subband/stream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>

#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/idle_wait.hpp"
#include "tessera/core/log.hpp"
#include "tessera/subband/stream_queue.hpp"

namespace tessera::subband {

namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// One group of a batch, as rank 0 hands it out.
struct Job {
  SubbandGroup group;
  bool partial = false;
};

// What rank 0 tells the others each cycle: "idle", "stop", or "convert"
// followed by the batch, one group after the other. Lines are tagged
// ("g " group, "f " file, "d " duplicate) so that no path can be taken for
// a group line.
std::string encode(const std::vector<Job>& batch) {
  std::string s = "convert\n";
  for (const auto& job : batch) {
    s += "g " + job.group.stamp + " " + (job.partial ? "1" : "0") + "\n";
    for (const auto& f : job.group.files)
      s += "f " + f.path.string() + "\n";
    for (const auto& d : job.group.duplicates)
      s += "d " + d + "\n";
  }
  return s;
}

std::vector<Job> decode(const std::string& s) {
  std::stringstream in(s);
  std::string line;
  std::getline(in, line);  // "convert"
  std::vector<Job> batch;
  while (std::getline(in, line)) {
    if (line.size() < 2)
      continue;
    const std::string rest = line.substr(2);
    if (line[0] == 'g') {
      Job job;
      const auto space = rest.rfind(' ');
      job.group.stamp = rest.substr(0, space);
      job.partial = rest.substr(space + 1) == "1";
      job.group.unix_seconds = parse_stamp(job.group.stamp).value_or(0.0);
      batch.push_back(std::move(job));
    } else if (batch.empty()) {
      continue;
    } else if (line[0] == 'd') {
      batch.back().group.duplicates.push_back(rest);
    } else if (auto f = parse_subband_name(rest)) {
      batch.back().group.files.push_back(*f);
    }
  }
  return batch;
}

// What a sub-communicator's rank 0 reports about its group: fields joined by
// \x1f (an error message is free text).
struct Outcome {
  std::string stamp, error, output;
  bool permanent = false, skipped = false;
  double seconds = 0;
};

constexpr char kField = '\x1f';

std::string encode(const Outcome& r) {
  return fmt::format("{}{}{}{}{}{}{}{}{}{}{}", r.stamp, kField, r.permanent ? 1 : 0, kField,
                     r.skipped ? 1 : 0, kField, r.seconds, kField, r.output, kField, r.error);
}

Outcome decode_outcome(const std::string& s) {
  std::vector<std::string> f;
  std::size_t at = 0;
  for (int i = 0; i < 5; ++i) {
    const auto end = s.find(kField, at);
    f.push_back(s.substr(at, end - at));
    at = end + 1;
  }
  Outcome r;
  r.stamp = f[0];
  r.permanent = f[1] == "1";
  r.skipped = f[2] == "1";
  r.seconds = std::stod(f[3]);
  r.output = f[4];
  r.error = s.substr(at);
  return r;
}

}  // namespace

std::int64_t run_stream(const Comm& world, const StreamOptions& o) {
  // Groups run concurrently, one per sub-communicator of ranks_per_group
  // ranks (as convert_groups does): a group has 16 files, so a 256-rank
  // daemon converts 16 groups at once instead of one with 240 ranks idle.
  const int per_group = std::max(1, std::min(o.convert.ranks_per_group, world.size()));
  const Comm sub = world.split_into_groups(per_group);
  const int nsub = (world.size() + per_group - 1) / per_group;
  const auto my_sub = static_cast<std::size_t>(world.rank() / per_group);

  // Only rank 0 touches the queue; each of its steps is a phase, so a bad
  // --state or an unreadable --watch fails every rank instead of leaving
  // the others waiting for the next command.
  std::unique_ptr<StreamQueue> queue;
  run_phase(world, "stream: open the queue", [&] {
    if (!world.is_root())
      return;
    std::filesystem::create_directories(o.out);
    if (!o.state.parent_path().empty())
      std::filesystem::create_directories(o.state.parent_path());
    queue = std::make_unique<StreamQueue>(o);
    log::info("stream: watching {} -> {} (state {}); up to {} group(s) at once, {} rank(s) each",
              o.watch.string(), o.out.string(), o.state.string(), nsub, per_group);
  });
  std::int64_t converted = 0;
  double idle_since = now_seconds();
  bool warned_disk = false;
  for (;;) {
    std::string command = "idle";
    run_phase(world, "stream: scan", [&] {
      if (!world.is_root())
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
        // One group per sub-communicator, oldest first; each is marked
        // in_progress, and a kill sends them all back to pending.
        std::vector<Job> batch;
        while (static_cast<int>(batch.size()) < nsub) {
          Job job;
          job.group = queue->next(job.partial);
          if (job.group.stamp.empty())
            break;
          batch.push_back(std::move(job));
        }
        if (!batch.empty()) {
          command = encode(batch);
          if (batch.size() > 1) {
            std::string stamps;
            for (const auto& job : batch)
              stamps += " " + job.group.stamp;
            log::info("stream: {} groups at once on {} sub-communicators:{}", batch.size(), nsub,
                      stamps);
          }
        }
      }
      if (command == "idle" && o.exit_when_idle > 0 && queue->open_groups() == 0 &&
          now_seconds() - idle_since > o.exit_when_idle) {
        command = "stop";
      }
    });
    world.bcast(command);
    if (command == "stop")
      break;
    if (command == "idle") {
      std::this_thread::sleep_for(std::chrono::duration<double>(o.interval));
      continue;
    }
    const std::vector<Job> batch = decode(command);
    // This sub-communicator's group, if the batch has one for it.
    std::string report;
    if (my_sub < batch.size()) {
      const Job& job = batch[my_sub];
      ConvertOptions copt = o.convert;
      copt.allow_partial = job.partial;
      const double t0 = now_seconds();
      Outcome outcome;
      outcome.stamp = job.group.stamp;
      try {
        const ConvertResult r = convert_group(sub, job.group, o.out, copt);
        outcome.output = r.output.string();
        outcome.skipped = r.skipped;
        if (sub.is_root())
          ++converted;  // once per group (summed over the world at the end)
      } catch (const Error& e) {
        // Bad input does not get better by retrying; I/O trouble may.
        outcome.permanent = dynamic_cast<const FormatError*>(&e) != nullptr;
        outcome.error = e.what();
        if (outcome.error.empty())
          outcome.error = "conversion failed";
      }
      outcome.seconds = now_seconds() - t0;
      if (sub.is_root())
        report = encode(outcome);
    }
    // Sub-communicators that finish first wait here without taking the
    // cores of those still converting.
    idle_barrier(world);
    const auto reports = world.gather_strings(report);
    run_phase(world, "stream: record the groups", [&] {
      if (!world.is_root())
        return;
      for (const auto& text : reports) {
        if (text.empty())
          continue;
        const Outcome r = decode_outcome(text);
        if (!r.error.empty()) {
          queue->failed(r.stamp, r.error, r.permanent);
          continue;
        }
        ConvertResult result;
        result.output = r.output;
        result.skipped = r.skipped;
        queue->completed(r.stamp, result, r.seconds);
        log::info("stream: group {} {} in {:.2f} s", r.stamp,
                  r.skipped ? "already converted (up to date)" : "converted", r.seconds);
      }
    });
    idle_since = now_seconds();
  }
  return world.allreduce_sum(converted);
}

}  // namespace tessera::subband
