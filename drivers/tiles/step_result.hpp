// The tiles steps' JSON summaries (tiles/steps.hpp: rank 0's, null when the
// output was up to date) in the common StepResult shape: each step makes one
// output file, its item; the summary's scalar facts become the figures
// (arrays such as the histogram or the transform stay in <out>.summary.json).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>

#include "tessera/core/step_result.hpp"

namespace tessera::driver::tiles_cli {

inline StepResult file_result(const nlohmann::json& summary, std::int64_t files = 1) {
  StepResult r;
  r.unit = "files";
  if (summary.is_null()) {
    r.skipped = files;
    return r;
  }
  r.done = files;
  r.outputs = files;
  for (const auto& [key, value] : summary.items()) {
    if (value.is_primitive() && !value.is_string())
      r.figures[key] = value;
  }
  return r;
}

}  // namespace tessera::driver::tiles_cli
