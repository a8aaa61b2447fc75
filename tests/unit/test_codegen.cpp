// The build's code generation computes the loop shape GCC 12.2 -O3 gets wrong
// (cmake/probes/loop_distribution.cpp): this test is compiled with Tessera's
// own flags, so it fails if the configure-time probe stopped protecting them.
#include <cstdint>
#include <vector>

#include "support/catch.hpp"

namespace {
__attribute__((noinline)) std::vector<int> fused_offsets(const std::vector<std::int64_t>& a,
                                                         const std::vector<std::int64_t>& b) {
  const std::size_t p = a.size();
  std::vector<int> ac(p), ad(p, 0), bc(p), bd(p, 0);
  for (std::size_t r = 0; r < p; ++r) {
    ac[r] = static_cast<int>(a[r]);
    bc[r] = static_cast<int>(b[r]);
    if (r > 0) {
      ad[r] = ad[r - 1] + ac[r - 1];
      bd[r] = bd[r - 1] + bc[r - 1];
    }
  }
  ad.insert(ad.end(), bd.begin(), bd.end());
  return ad;
}
}  // namespace

TEST_CASE("A loop filling counts and summing displacements is compiled correctly", "[codegen]") {
  CHECK(fused_offsets({3, 5, 7, 9}, {2, 4, 6, 8}) == std::vector<int>{0, 3, 8, 15, 0, 2, 6, 12});
}
