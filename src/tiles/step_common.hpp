// Helpers shared by the step implementations (private to src/tiles).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/fingerprint.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/mpi.hpp"
#include "tessera/tiles/steps.hpp"

namespace tessera::tiles::detail {

inline Fingerprint pair_fingerprint(const PairOptions& p, const std::string& step) {
  Fingerprint fp;
  fp.add_file(p.a).add_file(p.b).add("step", step).add("tile_size", std::to_string(p.tile_size));
  std::string cls;
  for (int c : p.classes)
    cls += std::to_string(c) + ",";
  fp.add("classes", cls);
  return fp;
}

/// True (on every rank) when the output is up to date and not clobbered.
inline bool skip_up_to_date(const Comm& comm, const PairOptions& p, const Fingerprint& fp) {
  bool skip = false;
  if (comm.is_root())
    skip = !p.clobber && is_up_to_date(p.out, fp);
  skip = comm.allreduce_or(skip);
  if (skip)
    log::info("{} is up to date with its inputs; skipped (--clobber redoes it)", p.out.string());
  return skip;
}

/// What a pair step's writer passes as `clobber` once skip_up_to_date said
/// no: the output is replaced. One without a matching fingerprint was made
/// from other inputs or options, or by a run killed between the output's
/// rename and its sidecar; a re-run redoes it (docs/architecture.md,
/// "Resume"). Refusing it ("output exists") failed the re-run after such a
/// kill (tests/integration/test_kills.py).
inline constexpr bool kReplaceStale = true;

inline std::filesystem::path summary_path(const std::filesystem::path& out) {
  return out.string() + ".summary.json";
}

/// Rank 0 writes the summary and the fingerprint sidecar, in a phase: a full
/// disk fails every rank rather than leaving the others at a barrier.
inline void finish_outputs(const Comm& comm, const std::filesystem::path& out,
                           const nlohmann::json& summary, const Fingerprint& fp) {
  run_phase(comm, "write summary", [&] {
    if (!comm.is_root())
      return;
    write_file_atomically(summary_path(out), summary.dump(2) + "\n");
    record_fingerprint(out, fp);
  });
}

}  // namespace tessera::tiles::detail
