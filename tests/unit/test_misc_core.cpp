#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/progress.hpp"

using namespace tessera;

TEST_CASE("Errors compose file, object and message and carry exit codes", "[error]") {
  FormatError e("column missing", "cat.fits", "HDU 1 TARGET_RA");
  CHECK(std::string(e.what()) == "cat.fits: HDU 1 TARGET_RA: column missing");
  CHECK(e.exit_code() == ExitCode::kFatalIo);
  CHECK(UsageError("x").exit_code() == ExitCode::kUsage);
  CHECK(TimeoutError("x").exit_code() == ExitCode::kTimeout);
  CHECK(exit_code_of(std::runtime_error("plain")) == ExitCode::kFatalIo);
  CHECK(exit_code_of(UsageError("u")) == ExitCode::kUsage);
}

TEST_CASE("Log levels parse and unknown levels are usage errors", "[log]") {
  CHECK(log::parse_level("debug") == log::Level::kDebug);
  CHECK(log::parse_level("warn") == log::Level::kWarn);
  CHECK_THROWS_AS(log::parse_level("loud"), UsageError);
  log::set_level(log::Level::kWarn);
  CHECK_FALSE(log::enabled(log::Level::kInfo));
  CHECK(log::enabled(log::Level::kError));
  log::set_level(log::Level::kInfo);
}

TEST_CASE("Progress lines give done/total, rate and ETA", "[progress]") {
  const auto line = Progress::format_line("balfind", 25, 100, 5.0);
  CHECK(line.find("25/100") != std::string::npos);
  CHECK(line.find("25%") != std::string::npos);
  CHECK(line.find("5.0/s") != std::string::npos);
  CHECK(line.find("ETA 15.0s") != std::string::npos);  // 75 left at 5/s
  CHECK(Progress::format_line("x", 10, 10, 2.0).find("ETA done") != std::string::npos);
  CHECK(Progress::format_line("x", 0, 10, 0.0).find("ETA ?") != std::string::npos);
}
