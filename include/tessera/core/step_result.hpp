// What every step returns, and the one way it is summarised.
//
// A step (healpix split, raster grid, subband convert, tiles c2c, ...) works
// on items of one kind (`unit`: pixels, variables, groups, tiles, ...) and
// returns a StepResult, meaningful on rank 0 (other ranks may hold partial
// or empty values). The driver (drivers/step_runner.cpp) prints it as one
// summary line and writes it as the "result" object of the --perf-report
// JSON; `tessera demo` shows the same line per step. Counts are over all
// ranks and do not depend on the rank count; `figures` hold step-specific
// facts (row counts, grid sizes, volumes), never timings.
//
// Exit status: 0 when failed == 0; ExitCode::kItemsFailed (1) when some items
// failed (the failures are also in the FailureLog, with their reasons);
// fatal errors are exceptions, not results.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace tessera {

struct StepResult {
  std::string unit = "items";  ///< what one item is, plural: "pixels", "groups"
  std::int64_t done = 0;       ///< items processed and written in this run
  std::int64_t skipped = 0;    ///< items already up to date (fingerprint), not redone
  std::int64_t failed = 0;     ///< items that failed (each also in the FailureLog)
  std::int64_t outputs = 0;    ///< files written under their final names in this run
  nlohmann::json figures = nlohmann::json::object();  ///< step-specific facts, no timings

  /// {"unit", "done", "skipped", "failed", "outputs", "figures"}.
  nlohmann::json to_json() const;
  /// "37 pixels done, 0 skipped, 0 failed, 37 output(s); catalog_rows 1024,
  /// rows_written 1024": the counts, then the scalar figures.
  std::string counts_text() const;
  /// "<words>: <counts_text()>", the line the driver logs (`words` is the
  /// command, "healpix split").
  std::string summary_line(const std::string& words) const;
};

}  // namespace tessera
