#include "support/catch.hpp"
#include "tessera/core/failure_summary.hpp"

using namespace tessera;

TEST_CASE("Rank sets are written as ranges", "[failure]") {
  CHECK(format_ranks({}) == "");
  CHECK(format_ranks({5}) == "5");
  CHECK(format_ranks({0, 1, 2, 3, 7, 9, 10}) == "0-3, 7, 9-10");
  CHECK(format_ranks({1, 3, 5}) == "1, 3, 5");
}

TEST_CASE("The same failure on every rank is said once", "[failure]") {
  std::vector<std::string> m(256, "cat.fits: no such file");
  CHECK(summarize_failures("split: read", m) ==
        "split: read failed on 256 of 256 ranks: cat.fits: no such file (ranks 0-255)");
}

TEST_CASE("Distinct failures keep their ranks, in rank order", "[failure]") {
  std::vector<std::string> m = {"", "b", "a", "b", "", "a", "c"};
  CHECK(summarize_failures("p", m) ==
        "p failed on 5 of 7 ranks: b (ranks 1, 3); a (ranks 2, 5); c (rank 6)");
  CHECK(summarize_failures("p", m, 2) ==
        "p failed on 5 of 7 ranks: b (ranks 1, 3); a (ranks 2, 5); ... and 1 more distinct "
        "reason(s) on 1 rank(s)");
}
