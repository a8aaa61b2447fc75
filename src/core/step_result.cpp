#include "tessera/core/step_result.hpp"

#include <fmt/format.h>

namespace tessera {

nlohmann::json StepResult::to_json() const {
  return {{"unit", unit},     {"done", done},       {"skipped", skipped},
          {"failed", failed}, {"outputs", outputs}, {"figures", figures}};
}

std::string StepResult::counts_text() const {
  std::string line = fmt::format("{} {} done, {} skipped, {} failed, {} output(s)", done, unit,
                                 skipped, failed, outputs);
  std::string extra;
  for (const auto& [key, value] : figures.items()) {
    // Scalars only: arrays and objects (a transform, a histogram) stay in the JSON.
    if (value.is_structured())
      continue;
    extra += fmt::format("{}{} {}", extra.empty() ? "; " : ", ", key,
                         value.is_string() ? value.get<std::string>() : value.dump());
  }
  return line + extra;
}

std::string StepResult::summary_line(const std::string& words) const {
  return words + ": " + counts_text();
}

}  // namespace tessera
