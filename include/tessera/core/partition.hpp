// The one partitioner: block ranges and LPT (longest processing time first).
//
// Pure functions, no MPI: every pipeline divides work with these, and the
// coordinator builds on them.
#pragma once

#include <cstdint>
#include <vector>

namespace tessera {

/// Half-open range [begin, end).
struct BlockRange {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  std::int64_t size() const noexcept { return end - begin; }
};

/// Part `index` of `n` items cut into `parts` contiguous blocks whose sizes
/// differ by at most one (the first n % parts blocks get the extra item).
BlockRange block_range(std::int64_t n, int parts, int index);

/// The block that holds item `i` (inverse of block_range).
int block_owner(std::int64_t n, int parts, std::int64_t i);

/// A static assignment of weighted items to parts.
struct LptPlan {
  std::vector<int> owner;    ///< owner[i] = part of item i
  std::vector<double> load;  ///< load[p] = summed weight of part p
  double makespan() const;   ///< max load
  double imbalance() const;  ///< max load / mean load (1 = perfect)
};

/// Graham's LPT rule: items in decreasing weight (ties by index, so the plan
/// is deterministic), each to the currently least-loaded part (ties to the
/// lowest part). Makespan <= (4/3 - 1/(3p)) * optimum (Graham 1969).
LptPlan lpt_plan(const std::vector<double>& weights, int parts);

}  // namespace tessera
