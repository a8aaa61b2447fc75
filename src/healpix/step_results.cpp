// The healpix steps' summaries as core StepResults (steps.hpp).
#include "tessera/healpix/steps.hpp"

namespace tessera::healpix {

StepResult to_result(const SplitSummary& s, bool dry_run) {
  StepResult r;
  r.unit = "pixels";
  r.skipped = s.files_skipped;
  r.failed = s.pixels_failed;
  r.done = dry_run ? 0 : s.pixels - s.files_skipped - s.pixels_failed;
  r.outputs = r.done;  // one zafter file per pixel
  r.figures = {{"pixels", s.pixels},
               {"catalog_rows", s.catalog_rows},
               {"rows_written", s.rows_written},
               {"bytes_read", s.bytes_read}};
  return r;
}

StepResult to_result(const BalfindSummary& s, bool dry_run) {
  StepResult r;
  r.unit = "pixels";
  r.skipped = s.pixels_skipped;
  r.failed = s.pixel_failures;
  r.done = dry_run ? 0 : s.pixels - s.pixels_skipped - s.pixel_failures;
  r.outputs = r.done;  // one baltable per pixel
  // Fit and read seconds are timings (the perf report's regions): not figures.
  r.figures = {{"pixels", s.pixels}, {"qsos", s.qsos}, {"qso_failures", s.qso_failures}};
  return r;
}

StepResult to_result(const AppendSummary& s, bool dry_run) {
  StepResult r;
  r.unit = "catalogs";
  r.done = s.written && !dry_run ? 1 : 0;
  r.skipped = s.written || dry_run ? 0 : 1;
  r.outputs = r.done;
  r.figures = {{"catalog_rows", s.catalog_rows},
               {"matched", s.matched},
               {"baltables", s.baltables},
               {"unmatched_bal_rows", s.unmatched_bal_rows}};
  return r;
}

}  // namespace tessera::healpix
