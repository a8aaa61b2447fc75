// Collective error checks: one rank failing never hangs the others.
//
// A distributed step is a sequence of phases separated by collective calls.
// If one rank throws inside a phase and simply returns, the others would wait
// forever in the next collective. `run_phase` runs a phase on every rank,
// catches what it throws, and agrees on the outcome with one MPI_Allreduce:
// if any rank failed, every rank throws a ParallelError whose message carries
// the failing ranks' own messages (gathered to rank 0 and broadcast), so the
// reason is printed once and the exit code is the failing error's.
//
// Where a rank cannot reach the next check (blocked in a library's collective
// call), use `abort_job`, which logs the reason and calls MPI_Abort.
#pragma once

#include <exception>
#include <functional>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/core/mpi.hpp"

namespace tessera {

/// Raised on every rank when some rank failed in a phase. exit_code() is the
/// most severe code among the failing ranks' errors.
class CollectiveError : public ParallelError {
 public:
  CollectiveError(const std::string& message, ExitCode code)
      : ParallelError(message), code_(code) {}
  ExitCode exit_code() const noexcept override { return code_; }

 private:
  ExitCode code_;
};

/// Agrees collectively on a local outcome. `local` is null when this rank
/// succeeded. Throws CollectiveError on every rank if any rank failed.
void check_collective(const Comm& comm, const std::string& phase, std::exception_ptr local);

/// Runs `fn` unless `slot` already holds an error, and stores what it throws
/// in `slot`. For a phase whose body contains collective calls: every rank
/// must still reach each collective, so local work is wrapped in
/// capture_error, the collectives are called unconditionally, and one
/// check_collective(comm, phase, slot) at the end makes the outcome common.
void capture_error(std::exception_ptr& slot, const std::function<void()>& fn);

/// How the ranks that finish a phase's body first wait for the others.
enum class PhaseWait {
  kSpin,  ///< in MPI's own call (Open MPI busy-polls): the lowest latency
  kIdle,  ///< in idle_barrier first (sleeps between tests): for a phase where
          ///< one rank works alone (a serial write) and the others' spinning
          ///< would only take cores from the node
};

/// Runs `body` on every rank of `comm`, then check_collective(). With
/// PhaseWait::kIdle every rank, failed or not, passes idle_barrier first.
void run_phase(const Comm& comm, const std::string& phase, const std::function<void()>& body,
               PhaseWait wait = PhaseWait::kSpin);

/// Logs `reason` and ends the whole job with MPI_Abort(code). Never returns.
[[noreturn]] void abort_job(const std::string& reason, ExitCode code);

}  // namespace tessera
