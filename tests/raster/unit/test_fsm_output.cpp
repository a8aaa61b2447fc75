// FSM output parsing: the real Col de Porte file (no hour column) and the
// malformed files the parser must reject with the file and line.
#include <string>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/error.hpp"
#include "tessera/raster/fsm_output.hpp"

using namespace tessera;
using namespace tessera::raster;

namespace {
std::string error_of(const std::string& text) {
  try {
    parse_fsm_text(text, "x.txt");
  } catch (const FormatError& e) {
    return e.what();
  }
  return "no error";
}
const std::string kRow1 =
    "2005  10   1  12       0.200      10.112       0.000       0.000       8.863      10.638\n";
const std::string kRow2 =
    "2005  10   2  12       0.303      39.815       0.005       0.576       2.609       9.730\n";
const std::string kRow3 =
    "2005  10   3  12       0.200      16.410       0.000       0.000       3.372       8.125\n";
}  // namespace

TEST_CASE("The real FSM file without an hour column parses by counting from the end", "[fsm]") {
  const auto s = read_fsm_file(test::test_data("fsm/out_CdP_0506.txt"));
  REQUIRE(s.days() == 273);
  CHECK(s.start == CivilDate{2005, 10, 1});
  // Row 2: 2005 10 2 alb=0.303 rof=39.815 snd=0.005 swe=0.576 tsf=2.609 tsl=9.730
  const auto at = [&](FsmVariable v, int d) { return s.values[static_cast<int>(v)][d]; };
  CHECK(at(FsmVariable::kRof, 1) == Approx(39.815f));
  CHECK(at(FsmVariable::kSnd, 1) == Approx(0.005f));
  CHECK(at(FsmVariable::kSwe, 1) == Approx(0.576f));
  CHECK(at(FsmVariable::kGst, 1) == Approx(2.609f));
  // Last row: 2006 6 30, tsf 17.297
  CHECK(at(FsmVariable::kGst, 272) == Approx(17.297f));
}

TEST_CASE("Rows with an hour column give the same variables", "[fsm]") {
  const auto s = parse_fsm_text(kRow1 + kRow2, "x.txt");
  REQUIRE(s.days() == 2);
  CHECK(s.values[static_cast<int>(FsmVariable::kSwe)][1] == Approx(0.576f));
  CHECK(s.values[static_cast<int>(FsmVariable::kRof)][0] == Approx(10.112f));
}

TEST_CASE("A ragged row is rejected naming the file and line", "[fsm][bad]") {
  const std::string bad = kRow1 + "2005  10   2  12  0.303  39.815  0.005  0.576  2.609\n" + kRow3;
  const auto msg = error_of(bad);
  CHECK(msg.find("x.txt") != std::string::npos);
  CHECK(msg.find("line 2") != std::string::npos);
  CHECK(msg.find("ragged") != std::string::npos);
}

TEST_CASE("A missing day is rejected naming the line and the expected date", "[fsm][bad]") {
  const auto msg = error_of(kRow1 + kRow3);
  CHECK(msg.find("line 2") != std::string::npos);
  CHECK(msg.find("2005-10-02") != std::string::npos);
}

TEST_CASE("Unparsable numbers, bad dates and empty files are rejected", "[fsm][bad]") {
  CHECK(error_of(kRow1 + "2005  10   2  12  0.303  abc  0.005  0.576  2.609  9.730\n")
            .find("line 2") != std::string::npos);
  CHECK(error_of("2005  13   2  12  0.303  1  0.005  0.576  2.609  9.730\n").find("invalid date") !=
        std::string::npos);
  CHECK(error_of("\n\n").find("no data rows") != std::string::npos);
  CHECK(error_of("2005 10 1 1 2 3\n").find("columns") != std::string::npos);
}

TEST_CASE("Variable lists parse and reject unknown or repeated names", "[fsm]") {
  const auto v = parse_variable_list("swe, gst");
  REQUIRE(v.size() == 2);
  CHECK(v[1] == FsmVariable::kGst);
  CHECK_THROWS_AS(parse_variable_list("swe,foo"), UsageError);
  CHECK_THROWS_AS(parse_variable_list("swe,swe"), UsageError);
}

TEST_CASE("Civil dates round-trip through day numbers", "[date]") {
  CHECK(days_from_civil({1970, 1, 1}) == 0);
  CHECK(days_from_civil({2000, 3, 1}) == 11017);
  for (std::int64_t d = -800000; d < 800000; d += 997) {
    CHECK(days_from_civil(civil_from_days(d)) == d);
  }
  CHECK(is_valid_date(2004, 2, 29));
  CHECK_FALSE(is_valid_date(2005, 2, 29));
}

TEST_CASE("NaN and Inf values are rejected naming the variable and line", "[fsm][bad]") {
  // The fuzzer's NaN/Inf mutation: from_chars reads them as numbers.
  auto row2 = [](const std::string& v) {
    return kRow1 + "2005  10   2  12  0.303  39.815  0.005  " + v + "  2.609  9.730\n" + kRow3;
  };
  for (const char* v : {"nan", "inf", "-inf"}) {
    const auto msg = error_of(row2(v));
    CHECK(msg.find("line 2") != std::string::npos);
    CHECK(msg.find("not finite") != std::string::npos);
  }
  // Out of float's range: from_chars itself refuses it.
  CHECK(error_of(row2("1e309")).find("line 2") != std::string::npos);
}
