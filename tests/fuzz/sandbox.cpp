// Fork-per-input isolation (sandbox.hpp).
#include "sandbox.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <new>
#include <stdexcept>

#include "tessera/core/error.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define TESSERA_FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TESSERA_FUZZ_ASAN 1
#endif
#endif

namespace tessera::fuzz {

namespace {

// The child's exit status says which verdict; the pipe carries the message.
enum ChildCode : int {
  kCodeAccepted = 0,
  kCodeRejected = 10,
  kCodeUnnamed = 11,
  kCodeBadAlloc = 12,
  kCodeForeign = 13,
};

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    done += static_cast<std::size_t>(n);
  }
}

[[noreturn]] void child(const std::function<void()>& body, const std::string& file,
                        const SandboxLimits& limits, int out) {
  const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
  }
#ifndef TESSERA_FUZZ_ASAN
  if (limits.address_space_bytes > 0) {
    const rlimit lim{limits.address_space_bytes, limits.address_space_bytes};
    ::setrlimit(RLIMIT_AS, &lim);
  }
#endif
  int code = kCodeAccepted;
  std::string message;
  try {
    body();
  } catch (const Error& e) {
    message = e.what();
    code = message.find(file) != std::string::npos ? kCodeRejected : kCodeUnnamed;
  } catch (const std::bad_alloc& e) {
    message = e.what();
    code = kCodeBadAlloc;
  } catch (const std::exception& e) {
    message = e.what();
    code = kCodeForeign;
  } catch (...) {
    message = "an exception that is not a std::exception";
    code = kCodeForeign;
  }
  write_all(out, message);
  // _exit: no atexit handlers or static destructors of libraries that the
  // reader may have left half-way; the verdict is already decided.
  ::_exit(code);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

const char* kind_name(Verdict::Kind kind) {
  switch (kind) {
    case Verdict::Kind::kAccepted:
      return "accepted";
    case Verdict::Kind::kRejected:
      return "rejected";
    case Verdict::Kind::kUnnamedError:
      return "error-without-file";
    case Verdict::Kind::kBadAlloc:
      return "bad-alloc";
    case Verdict::Kind::kForeignException:
      return "foreign-exception";
    case Verdict::Kind::kCrash:
      return "crash";
    case Verdict::Kind::kHang:
      return "hang";
  }
  return "?";
}

Verdict run_isolated(const std::function<void()>& body, const std::string& file,
                     const SandboxLimits& limits) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child(body, file, limits, fds[1]);
  }
  ::close(fds[1]);
  // Read the message until the child closes the pipe (it exits or dies);
  // the deadline catches a child that never does.
  std::string message;
  bool hung = false;
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    const double left = limits.timeout_seconds - seconds_since(t0);
    if (left <= 0) {
      hung = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left * 1000) + 1);
    if (r < 0 && errno == EINTR)
      continue;
    if (r == 0)
      continue;  // re-checks the deadline
    char buf[4096];
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    message.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (hung)
    ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Verdict v;
  if (hung) {
    v.kind = Verdict::Kind::kHang;
    v.detail = "no verdict after " + std::to_string(limits.timeout_seconds) + " s";
    return v;
  }
  if (WIFSIGNALED(status)) {
    v.kind = Verdict::Kind::kCrash;
    v.detail = std::string("signal ") + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    return v;
  }
  v.detail = message;
  switch (WEXITSTATUS(status)) {
    case kCodeAccepted:
      v.kind = Verdict::Kind::kAccepted;
      break;
    case kCodeRejected:
      v.kind = Verdict::Kind::kRejected;
      break;
    case kCodeUnnamed:
      v.kind = Verdict::Kind::kUnnamedError;
      break;
    case kCodeBadAlloc:
      v.kind = Verdict::Kind::kBadAlloc;
      break;
    case kCodeForeign:
      v.kind = Verdict::Kind::kForeignException;
      break;
    default:
      // exit() from inside a library (or a sanitizer's report) is a crash too.
      v.kind = Verdict::Kind::kCrash;
      v.detail = "exit status " + std::to_string(WEXITSTATUS(status)) +
                 (message.empty() ? "" : ": " + message);
  }
  return v;
}

}  // namespace tessera::fuzz
