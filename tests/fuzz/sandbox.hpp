// Runs one reader on one input in a forked child, so that whatever the input
// does to the reader (a crash, an endless loop, an allocation of terabytes)
// is observed and reported instead of taking the fuzzer down with it.
//
// The verdict follows the promise of docs/architecture.md: bad input gets a
// tessera::Error whose message names the file. Anything else is a failure.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace tessera::fuzz {

struct Verdict {
  enum class Kind {
    kAccepted,          ///< the reader read the input without complaint (pass)
    kRejected,          ///< a tessera::Error naming the file (pass)
    kUnnamedError,      ///< a tessera::Error whose message does not name the file
    kBadAlloc,          ///< std::bad_alloc: a declared size was believed
    kForeignException,  ///< an exception outside Tessera's error tree
    kCrash,             ///< the child died of a signal
    kHang,              ///< the child ran past the timeout and was killed
  };
  Kind kind = Kind::kAccepted;
  std::string detail;  ///< the error message, signal name or timeout
  bool failed() const noexcept { return kind != Kind::kAccepted && kind != Kind::kRejected; }
};

const char* kind_name(Verdict::Kind kind);

struct SandboxLimits {
  double timeout_seconds = 5.0;
  /// Address-space limit of the child (0 = none). A reader that allocates what
  /// a damaged header declares then fails with bad_alloc instead of
  /// thrashing; not applied under AddressSanitizer (its shadow memory needs
  /// terabytes of address space).
  std::uint64_t address_space_bytes = std::uint64_t{2} << 30;
};

/// Runs `body` in a child process; `file` is the input path the error
/// message must name. The child's stdout and stderr go to /dev/null
/// (libraries print their own complaints about damaged files).
Verdict run_isolated(const std::function<void()>& body, const std::string& file,
                     const SandboxLimits& limits);

}  // namespace tessera::fuzz
