// Probe for a GCC 12.2 wrong-code bug found in Tessera (issue 14): with
// -ftree-loop-distribution (on at -O3) a loop that fills two count arrays and
// sums the previous counts of each into displacements in the same pass is
// split so that one displacement array is summed before its counts are
// written (every displacement 0). Exit 0 when the compiler gets it right.
// tests/unit/test_codegen.cpp includes this file (without main) to check the
// same loop compiled with Tessera's own flags.
#include <cstdint>
#include <vector>

__attribute__((noinline)) static bool probe(const std::vector<std::int64_t>& a,
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
  return ad[3] == 15 && bd[3] == 12;
}

#ifndef TESSERA_PROBE_NO_MAIN
int main() {
  return probe({3, 5, 7, 9}, {2, 4, 6, 8}) ? 0 : 1;
}
#endif
