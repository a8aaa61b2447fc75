// The TARGETID join of a redrock file (redrock_join.hpp): each REDSHIFTS row
// gets the FIBERMAP row of its TARGETID whatever the orders; repeats with equal
// positions are accepted (first row); every disagreement is a FormatError
// naming the file, the HDUs, the TARGETID and both row counts.
#include <cmath>
#include <limits>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/healpix/redrock_join.hpp"

using namespace tessera::healpix;

namespace {

std::string join_error(const std::vector<std::int64_t>& rr, const std::vector<std::int64_t>& fm,
                       std::vector<double> ra = {}, std::vector<double> dec = {}) {
  if (ra.empty()) {
    for (auto id : fm) {
      ra.push_back(static_cast<double>(id % 360));
      dec.push_back(static_cast<double>(id % 90) - 45.0);
    }
  }
  try {
    join_redrock(rr, fm, ra, dec, "rr.fits");
  } catch (const tessera::FormatError& e) {
    return e.what();
  }
  return "no error";
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("Each REDSHIFTS row gets its TARGETID's FIBERMAP row, in any order",
          "[healpix][redrock]") {
  const std::vector<std::int64_t> rr = {30, 10, 20};
  const std::vector<std::int64_t> fm = {20, 30, 10, 30};  // 30 repeated (per exposure)
  const std::vector<double> ra = {2.0, 3.0, 1.0, 3.0};
  const std::vector<double> dec = {-2.0, -3.0, -1.0, -3.0};
  const RedrockJoin j = join_redrock(rr, fm, ra, dec, "rr.fits");
  CHECK(j.fibermap_row == std::vector<std::int64_t>{1, 2, 0});
  CHECK(j.repeated_rows == 1);
  // NaN repeated as NaN is the same position (bitwise).
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const RedrockJoin k = join_redrock(std::vector<std::int64_t>{5}, std::vector<std::int64_t>{5, 5},
                                     std::vector<double>{nan, nan}, std::vector<double>{1, 1}, "x");
  CHECK(k.fibermap_row == std::vector<std::int64_t>{0});
}

TEST_CASE("Redrock HDUs that disagree are refused with the file, HDUs and TARGETID named",
          "[healpix][redrock]") {
  const std::string missing = join_error({1, 2, 3}, {1, 3});
  CHECK(has(missing, "rr.fits"));
  CHECK(has(missing, "'REDSHIFTS' and 'FIBERMAP'"));
  CHECK(has(missing, "TARGETID 2 (REDSHIFTS row 1) has no FIBERMAP row"));
  CHECK(has(missing, "REDSHIFTS has 3 rows, FIBERMAP 2"));
  const std::string extra = join_error({1, 2}, {2, 9, 1});
  CHECK(has(extra, "TARGETID 9 (FIBERMAP row 1) has no REDSHIFTS row"));
  CHECK(has(extra, "REDSHIFTS has 2 rows, FIBERMAP 3"));
  const std::string dup = join_error({4, 5, 4}, {4, 5});
  CHECK(has(dup, "TARGETID 4 appears twice in REDSHIFTS (rows 0 and 2)"));
  const std::string moved = join_error({4}, {4, 4}, {10.0, 10.5}, {1.0, 1.0});
  CHECK(has(moved, "TARGETID 4 has FIBERMAP rows 0 and 1 with different positions"));
  CHECK(join_error({}, {}) == "no error");
}
