// The raster steps' results as core StepResults.
#include "tessera/core/step_result.hpp"
#include "tessera/raster/grid_step.hpp"
#include "tessera/raster/reproject_step.hpp"
#include "tessera/raster/stats_step.hpp"

namespace tessera::raster {

StepResult to_result(const GridStepResult& r) {
  StepResult s;
  s.unit = "variables";
  s.done = static_cast<std::int64_t>(r.written.size());
  s.skipped = static_cast<std::int64_t>(r.skipped.size());
  s.outputs = s.done;
  s.figures = {
      {"clusters", r.clusters}, {"days", r.days}, {"width", r.width}, {"height", r.height}};
  return s;
}

StepResult to_result(const StatsStepResult& r) {
  StepResult s;
  s.unit = "days";
  s.done = r.skipped ? 0 : r.days;
  s.skipped = r.skipped ? r.days : 0;
  // statistics.csv and one wide table per variable, two with groups (stats_step.cpp).
  s.outputs = r.skipped ? 0 : 1 + r.variables * (r.groups > 0 ? 2 : 1);
  s.figures = {{"basins", r.basins}, {"groups", r.groups}, {"variables", r.variables}};
  return s;
}

StepResult to_result(const ReprojectStepResult& r) {
  StepResult s;
  s.unit = "variables";
  s.done = static_cast<std::int64_t>(r.written.size());
  s.skipped = static_cast<std::int64_t>(r.skipped.size());
  s.outputs = s.done;
  s.figures = {{"width", r.width}, {"height", r.height}};
  return s;
}

}  // namespace tessera::raster
