// fuzz_readers: the seeded mutation fuzzer of Tessera's readers.
//
//   fuzz_readers [--target NAME]... [--seconds S] [--iterations N] [--seed N]
//                [--timeout S] [--save DIR] [--work DIR]
//   fuzz_readers --replay DIR [--target NAME]...
//   fuzz_readers --target NAME --direct FILE
//
// Fuzzing: for each target, every seed is first read unmutated (it must be
// accepted: a seed the reader rejects fuzzes nothing), then mutated copies
// are read, each in a forked child (sandbox.hpp), until --seconds (default 5)
// or --iterations (default: no limit) run out. Failures (crash, hang,
// bad_alloc, an error not naming the file, a foreign exception) are printed
// with the mutation and saved under --save/<target>/ (default
// ./fuzz-failures) as regression files to keep. TESSERA_FUZZ_SECONDS,
// TESSERA_FUZZ_ITERATIONS, TESSERA_FUZZ_SEED and TESSERA_FUZZ_SAVE, when
// set, override the options.
// Replay: every file in DIR/<target>/ is read; none may fail.
// Direct: one file read in this process, no sandbox (to run under gdb).
// Exit status: 0 no failure, 1 failures, 2 usage.
#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "sandbox.hpp"
#include "targets.hpp"

namespace fs = std::filesystem;
using namespace tessera::fuzz;

namespace {

struct Options {
  std::vector<std::string> targets;
  double seconds = 5;
  std::uint64_t iterations = 0;  // 0: bounded by time only
  std::uint64_t seed = 18;
  SandboxLimits limits;
  fs::path save = "fuzz-failures";
  fs::path work;
  fs::path replay;
  fs::path direct;
};

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read seed " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out)
    throw std::runtime_error("cannot write " + p.string());
}

// The input of one iteration, alone in a fresh folder: a reader that writes
// beside its input (SQLite's -wal and -shm) sees nothing of the last one.
fs::path fresh_input(const fs::path& work, const Target& t, const std::string& bytes) {
  const fs::path dir = work / t.name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path input = dir / ("input" + t.extension);
  write_bytes(input, bytes);
  return input;
}

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

struct Tally {
  std::uint64_t inputs = 0;
  std::map<Verdict::Kind, std::uint64_t> by_kind;
  std::uint64_t failures = 0;
};

void report_failure(const Target& t, const std::string& label, const Verdict& v,
                    const std::string& what) {
  std::cout << fmt::format("FAIL {} {}: {}: {}{}\n", t.name, label, kind_name(v.kind), v.detail,
                           what.empty() ? "" : " [mutation: " + what + "]");
}

Tally fuzz_target(const Target& t, const Options& o) {
  Tally tally;
  std::vector<std::string> seeds;
  for (const auto& p : t.seeds)
    seeds.push_back(read_bytes(p));
  const fs::path save_dir = o.save / t.name;
  t.prepare();
  // Seeds first: they must be read without complaint.
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    const fs::path input = fresh_input(o.work, t, seeds[i]);
    const Verdict v = run_isolated([&] { t.read(input); }, input.string(), o.limits);
    ++tally.inputs;
    ++tally.by_kind[v.kind];
    if (v.kind != Verdict::Kind::kAccepted) {
      ++tally.failures;
      std::cout << fmt::format("FAIL {} seed {} is not accepted: {}: {}\n", t.name,
                               t.seeds[i].string(), kind_name(v.kind), v.detail);
    }
  }
  Mutator m(o.seed ^ fnv1a(t.name));
  const auto t0 = std::chrono::steady_clock::now();
  int saved = 0;
  for (std::uint64_t it = 0;; ++it) {
    if (o.iterations > 0 && it >= o.iterations)
      break;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (o.iterations == 0 && elapsed >= o.seconds)
      break;
    const std::size_t which = m.below(seeds.size());
    std::string what;
    const std::string bytes = m.mutate(seeds[which], t.traits, what);
    const fs::path input = fresh_input(o.work, t, bytes);
    const Verdict v = run_isolated([&] { t.read(input); }, input.string(), o.limits);
    ++tally.inputs;
    ++tally.by_kind[v.kind];
    if (!v.failed())
      continue;
    ++tally.failures;
    report_failure(t,
                   fmt::format("iteration {} (seed {}, from {})", it, o.seed,
                               t.seeds[which].filename().string()),
                   v, what);
    if (saved < 20) {
      fs::create_directories(save_dir);
      const fs::path keep =
          save_dir / fmt::format("{}-{}-{}{}", kind_name(v.kind), o.seed, it, t.extension);
      write_bytes(keep, bytes);
      std::cout << "     saved " << keep.string() << "\n";
      ++saved;
    }
  }
  return tally;
}

Tally replay_target(const Target& t, const Options& o) {
  Tally tally;
  const fs::path dir = o.replay / t.name;
  if (!fs::is_directory(dir))
    return tally;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename().string()[0] != '.' &&
        e.path().extension() != ".md")
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  t.prepare();
  for (const auto& f : files) {
    // A copy: readers may write beside or into their input (SQLite).
    const fs::path input = fresh_input(o.work, t, read_bytes(f));
    const Verdict v = run_isolated([&] { t.read(input); }, input.string(), o.limits);
    ++tally.inputs;
    ++tally.by_kind[v.kind];
    if (v.failed()) {
      ++tally.failures;
      report_failure(t, f.filename().string(), v, "");
    }
  }
  return tally;
}

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "fuzz_readers: " << why << "\n"
            << "usage: fuzz_readers [--target NAME]... [--seconds S] [--iterations N] "
               "[--seed N] [--timeout S] [--save DIR] [--work DIR] [--replay DIR] [--direct FILE] "
               "[--list]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--target") {
      o.targets.push_back(value());
    } else if (a == "--seconds") {
      o.seconds = std::stod(value());
    } else if (a == "--iterations") {
      o.iterations = std::stoull(value());
    } else if (a == "--seed") {
      o.seed = std::stoull(value());
    } else if (a == "--timeout") {
      o.limits.timeout_seconds = std::stod(value());
    } else if (a == "--save") {
      o.save = value();
    } else if (a == "--work") {
      o.work = value();
    } else if (a == "--replay") {
      o.replay = value();
    } else if (a == "--direct") {
      o.direct = value();
    } else if (a == "--list") {
      for (const auto& t : targets())
        std::cout << t.name << "\n";
      std::exit(0);
    } else {
      usage("unknown argument " + a);
    }
  }
  // The environment wins over the command line: it is how a longer run
  // reaches the suite's tests (TESSERA_FUZZ_SECONDS=600 ctest -L fuzz).
  if (const char* s = std::getenv("TESSERA_FUZZ_SECONDS"))
    o.seconds = std::atof(s);
  if (const char* s = std::getenv("TESSERA_FUZZ_ITERATIONS"))
    o.iterations = std::strtoull(s, nullptr, 10);
  if (const char* s = std::getenv("TESSERA_FUZZ_SEED"))
    o.seed = std::strtoull(s, nullptr, 10);
  if (const char* s = std::getenv("TESSERA_FUZZ_SAVE"))
    o.save = s;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  std::vector<const Target*> chosen;
  for (const auto& t : targets()) {
    if (o.targets.empty() ||
        std::find(o.targets.begin(), o.targets.end(), t.name) != o.targets.end())
      chosen.push_back(&t);
  }
  for (const auto& name : o.targets) {
    if (std::none_of(chosen.begin(), chosen.end(),
                     [&](const Target* t) { return t->name == name; }))
      usage("no target " + name + " (--list shows them)");
  }
  if (!o.direct.empty()) {
    if (chosen.size() != 1)
      usage("--direct needs one --target");
    chosen[0]->prepare();
    chosen[0]->read(o.direct);
    std::cout << "accepted\n";
    return 0;
  }
  if (o.work.empty())
    o.work = fs::temp_directory_path() / fmt::format("tessera-fuzz-{}", ::getpid());
  std::uint64_t failures = 0;
  for (const Target* t : chosen) {
    const auto t0 = std::chrono::steady_clock::now();
    const Tally tally = o.replay.empty() ? fuzz_target(*t, o) : replay_target(*t, o);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::string kinds;
    for (const auto& [kind, n] : tally.by_kind)
      kinds += fmt::format(" {} {}", kind_name(kind), n);
    std::cout << fmt::format("{} {}: {} inputs in {:.1f} s ({:.0f}/s):{}; {} failure(s)\n",
                             o.replay.empty() ? "fuzz" : "replay", t->name, tally.inputs, s,
                             tally.inputs / std::max(s, 1e-9), kinds, tally.failures);
    std::cout.flush();  // one line per target as it ends, also into a log file
    failures += tally.failures;
  }
  fs::remove_all(o.work);
  return failures == 0 ? 0 : 1;
}
