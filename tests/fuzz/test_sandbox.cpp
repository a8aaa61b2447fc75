// The fuzzer's verdicts: each kind of failure the sandbox must tell apart is
// produced on purpose and recognised; the mutator is a function of its seed.
#include <csignal>
#include <cstdlib>
#include <vector>

#include "mutator.hpp"
#include "sandbox.hpp"
#include "support/catch.hpp"
#include "tessera/core/error.hpp"

using namespace tessera::fuzz;
using Kind = Verdict::Kind;

namespace {
const std::string kFile = "/tmp/some-input.las";
SandboxLimits quick() {
  SandboxLimits l;
  l.timeout_seconds = 1.0;
  return l;
}
}  // namespace

TEST_CASE("sandbox: passes are an accepted input or an error naming the file", "[fuzz]") {
  CHECK(run_isolated([] {}, kFile, quick()).kind == Kind::kAccepted);
  const Verdict v = run_isolated([] { throw tessera::FormatError("bad header", kFile, "header"); },
                                 kFile, quick());
  CHECK(v.kind == Kind::kRejected);
  CHECK(v.detail.find("bad header") != std::string::npos);
  CHECK_FALSE(v.failed());
}

TEST_CASE("sandbox: every other outcome is a failure", "[fuzz]") {
  const Verdict unnamed =
      run_isolated([] { throw tessera::FormatError("bad header"); }, kFile, quick());
  CHECK(unnamed.kind == Kind::kUnnamedError);
  CHECK(run_isolated([] { throw std::bad_alloc(); }, kFile, quick()).kind == Kind::kBadAlloc);
  CHECK(run_isolated([] { throw std::length_error("vector"); }, kFile, quick()).kind ==
        Kind::kForeignException);
  const Verdict crash = run_isolated([] { std::raise(SIGSEGV); }, kFile, quick());
  CHECK(crash.kind == Kind::kCrash);
  CHECK(crash.detail.find("signal 11") != std::string::npos);
  CHECK(run_isolated([] { std::exit(7); }, kFile, quick()).kind == Kind::kCrash);
  const Verdict hang = run_isolated(
      [] {
        for (;;) {
        }
      },
      kFile, quick());
  CHECK(hang.kind == Kind::kHang);
  CHECK(hang.failed());
}

#if !defined(__SANITIZE_ADDRESS__)
TEST_CASE("sandbox: a huge allocation fails under the address-space limit", "[fuzz]") {
  const Verdict v = run_isolated(
      [] {
        std::vector<char> big(std::size_t{64} << 30);  // 64 GiB a damaged header might declare
        big[0] = 1;
      },
      kFile, quick());
  CHECK(v.kind == Kind::kBadAlloc);
}
#endif

TEST_CASE("mutator: the same seed gives the same mutations", "[fuzz]") {
  const std::string input(1000, 'x');
  FormatTraits t;
  t.fields = {{10, 4, false, "count"}, {20, 8, true, "scale"}};
  Mutator a(5), b(5), c(6);
  bool differs = false;
  for (int i = 0; i < 50; ++i) {
    std::string wa, wb, wc;
    const std::string ma = a.mutate(input, t, wa);
    CHECK(ma == b.mutate(input, t, wb));
    CHECK(wa == wb);
    differs = differs || ma != c.mutate(input, t, wc);
  }
  CHECK(differs);
}
