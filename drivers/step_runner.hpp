// Internal knobs of run_step() used by `tessera demo`.
#pragma once

#include <optional>
#include <string>

#include "tessera/core/step_result.hpp"

namespace tessera::driver {

struct Command;

/// While the demo runs, steps skip their own perf table; the demo prints one
/// report for the whole run at the end.
void set_quiet_step_reports(bool quiet);
/// "healpix.split": the config-file section and top perf region of a step.
std::string step_section(const Command& command);
/// The result of the last step run_step() ran in this process (rank 0's
/// view; empty if it had none or threw): the demo's summary rows.
const std::optional<StepResult>& last_step_result();

}  // namespace tessera::driver
