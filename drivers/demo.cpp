// tessera demo: synthetic data for every pipeline that exists, its steps run
// on this job's ranks, then one summary table and one perf report.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "command.hpp"
#include "step_runner.hpp"
#include "tessera/core/atomic_file.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/perf.hpp"

namespace fs = std::filesystem;

namespace tessera::driver {

DemoRow run_command_words(const std::vector<std::string>& words, const std::string& result) {
  DemoRow row;
  row.pipeline = words.size() > 0 ? words[0] : "";
  row.step = words.size() > 1 ? words[1] : "";
  row.result = result;
  const double t0 = perf::now();
  const Command* found = nullptr;
  for (const auto& c : commands()) {
    if (c.pipeline == row.pipeline && c.step == row.step)
      found = &c;
  }
  if (!found) {
    row.exit_code = static_cast<int>(ExitCode::kUsage);
    row.result = "command not registered";
    return row;
  }
  std::vector<std::string> args(words.begin() + 2, words.end());
  row.exit_code = found->raw ? found->raw(args) : run_step(*found, args);
  row.seconds = perf::now() - t0;
  if (!found->raw && last_step_result()) {
    row.step_result = last_step_result();
    row.result = row.step_result->counts_text();
  }
  return row;
}

namespace {

int run_demo(const std::vector<std::string>& args) {
  const Comm world = Comm::world();
  cli::CommonOptions common;
  std::string out = "tessera-demo";
  std::string only;
  po::options_description desc(
      "tessera demo: synthetic data for every pipeline, run on this job's "
      "ranks, summary and perf report\n\nOptions");
  desc.add_options()("out", po::value(&out)->default_value(out)->value_name("DIR"),
                     "work directory (made if missing; reused: steps resume)")(
      "only", po::value(&only)->value_name("PIPELINE"), "run only this pipeline's stage");
  cli::add_common_options(desc, common);
  po::variables_map vm;
  try {
    vm = cli::parse("demo", desc, args);
    log::set_level(log::parse_level(common.log_level));
  } catch (const Error& e) {
    if (world.is_root())
      std::cerr << "tessera demo: " << e.what() << "\n";
    return static_cast<int>(e.exit_code());
  }
  // --help returns before po::notify (required options may be missing), so
  // read the switch from the map rather than the bound variable.
  if (vm.count("help") && vm["help"].as<bool>()) {
    if (world.is_root())
      std::cout << "usage: tessera demo [options]\n\n" << desc << "\n";
    return 0;
  }
  std::vector<DemoStage> stages = demo_stages();
  std::stable_sort(stages.begin(), stages.end(),
                   [](const DemoStage& a, const DemoStage& b) { return a.order < b.order; });
  const fs::path workdir = fs::absolute(out);
  if (world.is_root()) {
    std::error_code ec;
    fs::create_directories(workdir, ec);
    log::info("demo: {} rank(s), work directory {}", world.size(), workdir.string());
  }
  world.barrier();

  set_quiet_step_reports(true);
  perf::RunInfo info;
  info.command = "demo";
  info.threads = 1;
  info.options["out"] = workdir.string();
  std::vector<DemoRow> rows;
  const double t0 = perf::now();
  for (const auto& stage : stages) {
    if (!only.empty() && stage.pipeline != only)
      continue;
    if (world.is_root())
      log::info("demo: --- {} ---", stage.pipeline);
    auto stage_rows = stage.run(world, workdir / stage.pipeline);
    rows.insert(rows.end(), stage_rows.begin(), stage_rows.end());
  }
  set_quiet_step_reports(false);
  const double wall = perf::now() - t0;
  auto report = perf::reduce_report(world, info, wall);

  int code = 0;
  for (const auto& r : rows)
    code = std::max(code, r.exit_code);
  if (world.is_root()) {
    std::cout << "\n" << perf::format_table(report) << "\n";
    std::cout << fmt::format("tessera demo: {} rank(s), {:.2f} s\n\n", world.size(), wall);
    std::cout << fmt::format("{:<10} {:<12} {:>5} {:>9}  {}\n", "pipeline", "step", "exit",
                             "seconds", "result");
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& r : rows) {
      std::cout << fmt::format("{:<10} {:<12} {:>5} {:>9.3f}  {}\n", r.pipeline, r.step,
                               r.exit_code, r.seconds, r.result);
      nlohmann::json s = {{"pipeline", r.pipeline}, {"step", r.step}, {"exit_code", r.exit_code}};
      if (r.step_result)
        s["result"] = r.step_result->to_json();
      steps.push_back(std::move(s));
    }
    report["steps"] = std::move(steps);
    const auto report_path =
        common.perf_report.empty() ? workdir / "demo-perf.json" : fs::path(common.perf_report);
    write_file_atomically(report_path, report.dump(2) + "\n");
    std::cout << "\nperf report: " << report_path.string() << "\n"
              << (code == 0 ? "demo: all steps succeeded\n" : "demo: some steps FAILED\n");
  }
  return code;
}

const CommandRegistrar kDemo{Command{"",
                                     "demo",
                                     "synthetic data for every pipeline, all steps, summary and "
                                     "perf report",
                                     {},
                                     {},
                                     run_demo}};

}  // namespace
}  // namespace tessera::driver
