// tessera <pipeline> <step> [options] | tessera synth <pipeline> | tessera demo | tessera report
//
// main() initialises MPI, finds the registered command and hands over. Every
// rank runs the same command; only rank 0 prints help and summaries.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "command.hpp"
#include "tessera/build_info.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/mpi.hpp"

namespace td = tessera::driver;

namespace {

void print_overview(std::ostream& out) {
  out << "usage: tessera <pipeline> <step> [options]   (every level takes --help)\n\n";
  std::map<std::string, std::vector<const td::Command*>> groups;
  for (const auto& c : td::commands())
    groups[c.pipeline].push_back(&c);
  for (auto& [pipeline, list] : groups) {
    std::sort(list.begin(), list.end(),
              [](const td::Command* a, const td::Command* b) { return a->step < b->step; });
    out << (pipeline.empty() ? "commands" : pipeline) << ":\n";
    for (const auto* c : list) {
      std::string words = c->pipeline.empty() ? c->step : c->pipeline + " " + c->step;
      out << "  tessera " << words << std::string(words.size() < 24 ? 24 - words.size() : 1, ' ')
          << c->summary << "\n";
    }
  }
}

void print_pipeline(std::ostream& out, const std::string& pipeline) {
  out << "usage: tessera " << pipeline << " <step> [options]\n\nsteps:\n";
  for (const auto& c : td::commands()) {
    if (c.pipeline == pipeline) {
      out << "  " << c.step << std::string(c.step.size() < 12 ? 12 - c.step.size() : 1, ' ')
          << c.summary << "\n";
    }
  }
}

int dispatch(const std::vector<std::string>& words, bool root) {
  if (words.empty()) {
    if (root)
      print_overview(std::cerr);
    return 2;
  }
  const std::string& first = words[0];
  if (first == "--help" || first == "-h" || first == "help") {
    if (root)
      print_overview(std::cout);
    return 0;
  }
  if (first == "--version") {
    if (root)
      std::cout << "tessera " << tessera::build::kVersion << " (" << tessera::build::git_sha()
                << ")\n";
    return 0;
  }
  // Top-level commands: demo, report.
  for (const auto& c : td::commands()) {
    if (c.pipeline.empty() && c.step == first) {
      std::vector<std::string> args(words.begin() + 1, words.end());
      return c.raw ? c.raw(args) : td::run_step(c, args);
    }
  }
  std::set<std::string> pipelines;
  for (const auto& c : td::commands()) {
    if (!c.pipeline.empty())
      pipelines.insert(c.pipeline);
  }
  if (!pipelines.count(first)) {
    if (root) {
      std::cerr << "tessera: unknown command '" << first << "'\n\n";
      print_overview(std::cerr);
    }
    return 2;
  }
  if (words.size() < 2 || words[1] == "--help" || words[1] == "-h") {
    const bool help = words.size() >= 2;
    if (root)
      print_pipeline(help ? std::cout : std::cerr, first);
    return help ? 0 : 2;
  }
  for (const auto& c : td::commands()) {
    if (c.pipeline == first && c.step == words[1]) {
      std::vector<std::string> args(words.begin() + 2, words.end());
      return c.raw ? c.raw(args) : td::run_step(c, args);
    }
  }
  if (root) {
    std::cerr << "tessera: unknown step '" << words[1] << "' of '" << first << "'\n\n";
    print_pipeline(std::cerr, first);
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int code = 0;
  try {
    tessera::Runtime runtime(&argc, &argv);
    const auto world = tessera::Comm::world();
    tessera::log::set_rank(world.rank());
    std::vector<std::string> words(argv + 1, argv + argc);
    code = dispatch(words, world.is_root());
    std::cout.flush();
  } catch (const std::exception& e) {
    tessera::log::error("{}", e.what());
    code = static_cast<int>(tessera::exit_code_of(e));
  }
  return code;
}
