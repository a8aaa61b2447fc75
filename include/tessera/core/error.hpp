// The one error tree of Tessera.
//
// Every failure that reaches a user is a tessera::Error carrying what went
// wrong, the file and the object inside it (HDU, dataset, variable, line,
// feature) and the exit code the process should end with. Wrappers over C
// libraries (src/io) translate library status codes into these types; the
// drivers turn them into a message and an exit code.
//
// Exit codes (design README, "Errors, bad input and nothing lost"):
//   0 success
//   1 some items failed; the outputs of all other items are complete
//   2 usage or configuration error
//   3 fatal input/output error
//   124 timeout
#pragma once

#include <stdexcept>
#include <string>

namespace tessera {

enum class ExitCode : int {
  kOk = 0,
  kItemsFailed = 1,
  kUsage = 2,
  kFatalIo = 3,
  kTimeout = 124,
};

/// Base of every Tessera error. `what()` gives the full message:
/// "<file>: <object>: <message>" with empty parts left out.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, std::string file = {}, std::string object = {});

  const std::string& message() const noexcept { return message_; }
  const std::string& file() const noexcept { return file_; }
  const std::string& object() const noexcept { return object_; }
  /// The exit code a process ends with when this error is fatal.
  virtual ExitCode exit_code() const noexcept { return ExitCode::kFatalIo; }

 private:
  std::string message_;
  std::string file_;
  std::string object_;
};

/// Bad command line, option value or configuration file (exit 2).
class UsageError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const noexcept override { return ExitCode::kUsage; }
};

/// A file exists but its content is not what the format requires.
class FormatError : public Error {
 public:
  using Error::Error;
};

/// The operating system or an I/O library refused (open, read, write, rename).
class IoError : public Error {
 public:
  using Error::Error;
};

/// An MPI call failed, or another rank failed inside a collective phase.
class ParallelError : public Error {
 public:
  using Error::Error;
};

/// A step ran past --timeout. `object()` names the region it was in.
class TimeoutError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const noexcept override { return ExitCode::kTimeout; }
};

/// Exit code for any exception: Error subclasses carry theirs, anything else is 3.
ExitCode exit_code_of(const std::exception& e) noexcept;

/// "errno text" helper for IoError messages.
std::string errno_message(int err);

}  // namespace tessera
