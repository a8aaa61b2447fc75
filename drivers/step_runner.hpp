// Internal knobs of run_step() used by `tessera demo`.
#pragma once

#include <string>

namespace tessera::driver {

struct Command;

/// While the demo runs, steps skip their own perf table; the demo prints one
/// report for the whole run at the end.
void set_quiet_step_reports(bool quiet);
/// "healpix.split": the config-file section and top perf region of a step.
std::string step_section(const Command& command);

}  // namespace tessera::driver
