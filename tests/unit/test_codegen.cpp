// The build's code generation computes the loop shape GCC 12.2 -O3 gets wrong
// (cmake/probes/loop_distribution.cpp, included here): this test is compiled
// with Tessera's own flags, so it fails if the configure-time probe stopped
// protecting them.
#define TESSERA_PROBE_NO_MAIN
#include "../../cmake/probes/loop_distribution.cpp"

#include "support/catch.hpp"

TEST_CASE("A loop filling counts and summing displacements is compiled correctly", "[codegen]") {
  CHECK(probe({3, 5, 7, 9}, {2, 4, 6, 8}));
}
