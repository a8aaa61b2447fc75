#include "tessera/core/cli.hpp"

#include <fmt/format.h>

#include <fstream>
#include <map>

#include "tessera/core/error.hpp"

namespace tessera::cli {

void add_common_options(po::options_description& desc, CommonOptions& out) {
  desc.add_options()("help,h", po::bool_switch(&out.help), "show this help and exit")(
      "config", po::value(&out.config)->value_name("FILE.ini"),
      "read options from an INI file: [common] and [<pipeline>.<step>] sections; the command "
      "line overrides it")("threads", po::value(&out.threads)->default_value(0)->value_name("N"),
                           "OpenMP threads per rank (0: OMP_NUM_THREADS or all cores)")(
      "log-level", po::value(&out.log_level)->default_value("info")->value_name("LEVEL"),
      "debug, info, warn, error or off")(
      "perf-report", po::value(&out.perf_report)->value_name("FILE.json"),
      "write the performance report as JSON (docs/perf-report.md)")(
      "timeout", po::value(&out.timeout)->default_value(0.0)->value_name("SECONDS"),
      "end the step on every rank with exit code 124 after this long (0: no limit)")(
      "progress", po::bool_switch(), "show progress (default)")("no-progress", po::bool_switch(),
                                                                "do not show progress")(
      "clobber", po::bool_switch(&out.clobber), "redo and replace outputs that exist")(
      "dry-run", po::bool_switch(&out.dry_run), "plan the work and print it; write nothing")(
      "mpiio-hint", po::value<std::vector<std::string>>()->composing()->value_name("KEY=VALUE"),
      "an MPI-IO hint for the shared files (repeatable; e.g. striping_factor=8); overrides "
      "TESSERA_MPIIO_HINTS (docs/install.md)");
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    auto b = cur.find_first_not_of(" \t");
    auto e = cur.find_last_not_of(" \t");
    if (b != std::string::npos)
      out.push_back(cur.substr(b, e - b + 1));
    cur.clear();
  };
  for (char c : text) {
    if (c == ',') {
      flush();
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Reads the [common] and [section] key = value pairs of an INI file and turns
// them into "--key=value" words, so they go through the same parser (and the
// same validation) as the command line.
std::vector<std::string> config_words(const std::string& path, const std::string& section,
                                      const po::options_description& desc) {
  std::ifstream in(path);
  if (!in)
    throw UsageError("cannot open the configuration file", path);
  std::vector<std::string> words;
  std::string line;
  std::string current;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';')
      continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        throw UsageError(fmt::format("line {}: malformed section header '{}'", lineno, line), path);
      }
      current = trim(line.substr(1, line.size() - 2));
      continue;
    }
    if (current != "common" && current != section)
      continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      throw UsageError(fmt::format("line {}: expected 'key = value', got '{}'", lineno, line),
                       path);
    }
    const std::string key = trim(line.substr(0, eq));
    const std::string value = trim(line.substr(eq + 1));
    const auto* opt = desc.find_nothrow(key, false);
    if (opt == nullptr) {
      throw UsageError(
          fmt::format("line {}: unknown option '{}' in section [{}]", lineno, key, current), path);
    }
    if (key == "config") {
      throw UsageError(fmt::format("line {}: 'config' cannot be set inside a config file", lineno),
                       path);
    }
    if (opt->semantic()->max_tokens() == 0) {
      // A switch: "clobber = true" turns it on, "false" leaves it off.
      if (value == "true" || value == "1" || value == "yes" || value == "on") {
        words.push_back("--" + key);
      } else if (!(value == "false" || value == "0" || value == "no" || value == "off")) {
        throw UsageError(
            fmt::format("line {}: '{}' expects true or false, got '{}'", lineno, key, value), path);
      }
    } else {
      words.push_back("--" + key + "=" + value);
    }
  }
  return words;
}

}  // namespace

po::variables_map parse(const std::string& section, const po::options_description& desc,
                        const std::vector<std::string>& args,
                        const po::positional_options_description* positional) {
  po::variables_map vm;
  try {
    auto parser = po::command_line_parser(args).options(desc);
    if (positional)
      parser.positional(*positional);
    po::store(parser.run(), vm);
    const bool help = vm.count("help") && vm["help"].as<bool>();
    if (help)
      return vm;
    if (vm.count("config")) {
      // Values already stored (the command line) win: po::store keeps the first.
      const auto path = vm["config"].as<std::string>();
      auto words = config_words(path, section, desc);
      try {
        po::store(po::command_line_parser(words).options(desc).run(), vm);
      } catch (const po::error& e) {
        throw UsageError(e.what(), path);
      }
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(fmt::format("{}: {}", section, e.what()));
  }
  return vm;
}

}  // namespace tessera::cli
