#include "tessera/core/collective.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "tessera/core/failure_summary.hpp"
#include "tessera/core/idle_wait.hpp"
#include "tessera/core/log.hpp"

namespace tessera {

namespace {
// Severity order for choosing one exit code when ranks failed differently:
// a usage error anywhere is the user's to fix first; then I/O; timeout last.
int severity(ExitCode code) {
  switch (code) {
    case ExitCode::kUsage:
      return 4;
    case ExitCode::kFatalIo:
      return 3;
    case ExitCode::kTimeout:
      return 2;
    case ExitCode::kItemsFailed:
      return 1;
    case ExitCode::kOk:
      return 0;
  }
  return 3;
}

ExitCode from_severity(int s) {
  switch (s) {
    case 4:
      return ExitCode::kUsage;
    case 3:
      return ExitCode::kFatalIo;
    case 2:
      return ExitCode::kTimeout;
    case 1:
      return ExitCode::kItemsFailed;
    default:
      return ExitCode::kOk;
  }
}
}  // namespace

void check_collective(const Comm& comm, const std::string& phase, std::exception_ptr local) {
  std::string message;
  int my_severity = 0;
  int agreed = 0;  // this rank's failure is an inner phase's, already agreed
  if (local) {
    try {
      std::rethrow_exception(local);
    } catch (const CollectiveError& e) {
      message = e.what();
      my_severity = std::max(1, severity(e.exit_code()));
      agreed = 1;
    } catch (const std::exception& e) {
      message = e.what();
      my_severity = severity(exit_code_of(e));
      if (my_severity == 0)
        my_severity = 3;
    } catch (...) {
      message = "unknown exception";
      my_severity = 3;
    }
  }
  int worst = 0;
  check_mpi(MPI_Allreduce(&my_severity, &worst, 1, MPI_INT, MPI_MAX, comm.handle()),
            "MPI_Allreduce(error check)");
  if (worst == 0)
    return;

  // Every rank failed in an inner phase, which already made one message of
  // the reasons (the same text on every rank): pass it on as it is, not
  // wrapped once more as "failed on N of N ranks" per rank.
  int all_agreed = 0;
  check_mpi(MPI_Allreduce(&agreed, &all_agreed, 1, MPI_INT, MPI_MIN, comm.handle()),
            "MPI_Allreduce(error check)");
  if (all_agreed == 1)
    throw CollectiveError(message, from_severity(worst));

  // Someone failed: collect the reasons on rank 0 and share one message.
  auto messages = comm.gather_strings(message, 0);
  std::string text;
  if (comm.is_root())
    text = comm.size() == 1 ? messages[0] : summarize_failures(phase, messages);
  comm.bcast(text, 0);
  throw CollectiveError(text, from_severity(worst));
}

void capture_error(std::exception_ptr& slot, const std::function<void()>& fn) {
  if (slot)
    return;
  try {
    fn();
  } catch (...) {
    slot = std::current_exception();
  }
}

void run_phase(const Comm& comm, const std::string& phase, const std::function<void()>& body,
               PhaseWait wait) {
  std::exception_ptr local;
  try {
    body();
  } catch (...) {
    local = std::current_exception();
  }
  if (wait == PhaseWait::kIdle)
    idle_barrier(comm);
  check_collective(comm, phase, local);
}

void abort_job(const std::string& reason, ExitCode code) {
  log::error("aborting the job: {}", reason);
  std::fflush(stdout);
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, static_cast<int>(code));
  std::_Exit(static_cast<int>(code));
}

}  // namespace tessera
