#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/atomic_file.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/fingerprint.hpp"

using namespace tessera;
namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
}  // namespace

TEST_CASE("A committed atomic file is whole under its final name", "[atomic]") {
  const auto dir = test::scratch_dir("atomic-ok");
  const auto target = dir / "sub" / "out.txt";
  fs::remove(target);
  {
    AtomicFile f(target);
    CHECK(f.temp_path().parent_path() == target.parent_path());
    std::ofstream(f.temp_path()) << "complete";
    CHECK_FALSE(fs::exists(target));
    f.commit();
  }
  CHECK(slurp(target) == "complete");
}

TEST_CASE("An atomic file abandoned by an exception leaves nothing behind", "[atomic]") {
  const auto dir = test::scratch_dir("atomic-throw");
  const auto target = dir / "out.txt";
  fs::path temp;
  try {
    AtomicFile f(target);
    temp = f.temp_path();
    std::ofstream(f.temp_path()) << "partial";
    throw std::runtime_error("writer failed");
  } catch (const std::runtime_error&) {
  }
  CHECK_FALSE(fs::exists(target));
  CHECK_FALSE(fs::exists(temp));
}

TEST_CASE("A process killed mid-write leaves no file under the final name", "[atomic]") {
  const auto dir = test::scratch_dir("atomic-kill");
  const auto target = dir / "big.dat";
  fs::remove(target);
  int pipefd[2];
  REQUIRE(pipe(pipefd) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Child: start writing, tell the parent, keep writing forever.
    AtomicFile f(target);
    std::ofstream out(f.temp_path(), std::ios::binary);
    std::string block(1 << 16, 'x');
    out.write(block.data(), static_cast<std::streamsize>(block.size()));
    out.flush();
    char c = 'w';
    if (write(pipefd[1], &c, 1) != 1)
      _exit(3);
    for (;;) {
      out.write(block.data(), static_cast<std::streamsize>(block.size()));
      out.flush();
      usleep(1000);
    }
  }
  char c = 0;
  REQUIRE(read(pipefd[0], &c, 1) == 1);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  CHECK_FALSE(fs::exists(target));
  close(pipefd[0]);
  close(pipefd[1]);
}

TEST_CASE("Refusing to replace an existing output without clobber", "[atomic]") {
  const auto dir = test::scratch_dir("atomic-clobber");
  const auto target = dir / "out.txt";
  std::ofstream(target) << "old";
  CHECK_THROWS_AS(AtomicFile(target, false), UsageError);
  write_file_atomically(target, "new");
  CHECK(slurp(target) == "new");
}

TEST_CASE("Fingerprints change with inputs and options and mark outputs up to date",
          "[fingerprint]") {
  const auto dir = test::scratch_dir("fingerprint");
  const auto input = dir / "in.txt";
  const auto output = dir / "out.txt";
  std::ofstream(input) << "abc";
  fs::remove(output);
  fs::remove(fingerprint_path(output));
  auto make = [&](const std::string& opt) {
    Fingerprint fp;
    fp.add_file(input).add("nside", opt);
    return fp;
  };
  CHECK(make("64").hex() == make("64").hex());
  CHECK(make("64").hex() != make("16").hex());
  CHECK(make("64").hex().size() == 16);
  CHECK_FALSE(is_up_to_date(output, make("64")));
  write_file_atomically(output, "result");
  CHECK_FALSE(is_up_to_date(output, make("64")));  // no sidecar yet: redo
  record_fingerprint(output, make("64"));
  CHECK(is_up_to_date(output, make("64")));
  CHECK_FALSE(is_up_to_date(output, make("16")));
  // A changed input (size) invalidates it.
  std::ofstream(input) << "abcdef";
  CHECK_FALSE(is_up_to_date(output, make("64")));
  CHECK_THROWS_AS(Fingerprint().add_file(dir / "missing.txt"), IoError);
}
