// The driver layer's command registry.
//
// Each command ("healpix split", "synth raster", "report") is a Command
// registered from its own file with a static CommandRegistrar, so adding a
// pipeline never touches main.cpp. A step command gets a StepContext: the
// communicator, the parsed options, the run metadata for the perf report and
// the per-item failure log. run_step() (step_runner.cpp) wraps every step the
// same way: options, log level, threads, watchdog, top perf region, collective
// error check, failure summary, perf table and JSON, exit code.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tessera/core/cli.hpp"
#include "tessera/core/failures.hpp"
#include "tessera/core/mpi.hpp"
#include "tessera/core/perf_report.hpp"
#include "tessera/core/step_result.hpp"

namespace tessera::driver {

namespace po = boost::program_options;

struct StepContext {
  const Comm& comm;
  const cli::CommonOptions& common;
  const po::variables_map& vm;
  perf::RunInfo& info;   ///< add input sizes / options for the report
  FailureLog& failures;  ///< per-item failures (exit code 1)
  /// What the step did (core/step_result.hpp), set by every pipeline step;
  /// run_step() logs its summary line, puts it in the perf report and exits
  /// 1 if it counts failed items. Tools (synth, check, listings) leave it.
  std::optional<StepResult> result = std::nullopt;
};

struct Command {
  std::string pipeline;  ///< "healpix", or "" for top-level commands
  std::string step;      ///< "split"
  std::string summary;   ///< one line for --help listings
  /// Adds the step's own options (the common ones are added by the runner).
  std::function<void(po::options_description&, po::positional_options_description&)> options;
  /// Runs the step on every rank. Throws tessera::Error for fatal errors.
  std::function<void(StepContext&)> run;
  /// Steps that manage their own report and exit code (report, demo) set this.
  std::function<int(const std::vector<std::string>& args)> raw;
};

void register_command(Command command);
const std::vector<Command>& commands();

struct CommandRegistrar {
  explicit CommandRegistrar(Command command) { register_command(std::move(command)); }
};

/// Parses options and runs a registered step with all the common handling.
/// Returns the process exit code (same on every rank).
int run_step(const Command& command, const std::vector<std::string>& args);

/// A stage of `tessera demo`: each pipeline registers one that makes its
/// synthetic data under `workdir` and runs its steps through run_step().
struct DemoRow {
  std::string pipeline;
  std::string step;
  int exit_code = 0;
  double seconds = 0.0;
  std::string result;  ///< the step's counts (StepResult::counts_text) or what it does
  std::optional<StepResult> step_result;  ///< as the step returned it, if it has one
};

struct DemoStage {
  std::string pipeline;
  int order = 100;  ///< stages run in increasing order
  std::function<std::vector<DemoRow>(const Comm& comm, const std::filesystem::path& workdir)> run;
};

void register_demo_stage(DemoStage stage);
const std::vector<DemoStage>& demo_stages();

struct DemoStageRegistrar {
  explicit DemoStageRegistrar(DemoStage stage) { register_demo_stage(std::move(stage)); }
};

/// Runs a registered command by words, e.g. {"healpix", "split", "--out", ...},
/// and times it. Used by demo stages.
DemoRow run_command_words(const std::vector<std::string>& words, const std::string& result = {});

}  // namespace tessera::driver
