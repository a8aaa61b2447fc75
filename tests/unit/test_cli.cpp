#include <fstream>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/cli.hpp"
#include "tessera/core/error.hpp"

using namespace tessera;
namespace po = boost::program_options;

namespace {
struct Parsed {
  cli::CommonOptions common;
  std::string out;
  int nside = 0;
  po::variables_map vm;
};

Parsed parse(const std::vector<std::string>& args) {
  Parsed p;
  po::options_description desc;
  desc.add_options()("out", po::value(&p.out)->required(), "output")(
      "nside", po::value(&p.nside)->default_value(64), "nside");
  cli::add_common_options(desc, p.common);
  p.vm = cli::parse("healpix.split", desc, args);
  return p;
}

std::string write_ini(const std::string& name, const std::string& text) {
  auto path = test::scratch_dir("cli") / name;
  std::ofstream(path) << text;
  return path.string();
}
}  // namespace

TEST_CASE("Command-line values are parsed and defaults apply", "[cli]") {
  auto p = parse({"--out", "dir", "--threads", "3", "--clobber"});
  CHECK(p.out == "dir");
  CHECK(p.nside == 64);
  CHECK(p.common.threads == 3);
  CHECK(p.common.clobber);
  CHECK_FALSE(p.common.dry_run);
}

TEST_CASE("An unknown option is a usage error that names it", "[cli]") {
  try {
    parse({"--out", "x", "--bogus-option", "1"});
    FAIL("no error");
  } catch (const UsageError& e) {
    CHECK(std::string(e.what()).find("bogus-option") != std::string::npos);
    CHECK(static_cast<int>(e.exit_code()) == 2);
  }
}

TEST_CASE("A missing required option is a usage error that names it", "[cli]") {
  try {
    parse({"--nside", "16"});
    FAIL("no error");
  } catch (const UsageError& e) {
    CHECK(std::string(e.what()).find("out") != std::string::npos);
  }
}

TEST_CASE("A bad option value is a usage error that names the option", "[cli]") {
  try {
    parse({"--out", "x", "--nside", "many"});
    FAIL("no error");
  } catch (const UsageError& e) {
    CHECK(std::string(e.what()).find("nside") != std::string::npos);
  }
}

TEST_CASE("Config file values apply and the command line overrides them", "[cli]") {
  const auto ini = write_ini("run.ini",
                             "# comment\n[common]\nthreads = 5\nclobber = true\n"
                             "[healpix.split]\nout = from-file\nnside = 16\n"
                             "[healpix.balfind]\nnside = 999\n");
  auto p = parse({"--config", ini, "--nside", "32"});
  CHECK(p.out == "from-file");   // from [healpix.split]
  CHECK(p.nside == 32);          // command line wins over the file
  CHECK(p.common.threads == 5);  // from [common]
  CHECK(p.common.clobber);       // switch set in the file
}

TEST_CASE("Unknown keys in a config file are errors naming file, line and key", "[cli]") {
  const auto ini = write_ini("bad.ini", "[healpix.split]\nout = x\nnsidee = 16\n");
  try {
    parse({"--config", ini});
    FAIL("no error");
  } catch (const UsageError& e) {
    const std::string what = e.what();
    CHECK(what.find("bad.ini") != std::string::npos);
    CHECK(what.find("line 3") != std::string::npos);
    CHECK(what.find("nsidee") != std::string::npos);
  }
}

TEST_CASE("A missing config file is a usage error", "[cli]") {
  CHECK_THROWS_AS(parse({"--config", "/nonexistent/run.ini", "--out", "x"}), UsageError);
}

TEST_CASE("Lists split on commas and trim blanks", "[cli]") {
  CHECK(cli::split_list(" swe, snd,,rof ") == std::vector<std::string>{"swe", "snd", "rof"});
}
