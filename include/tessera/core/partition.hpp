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
///
/// `initial_load` (one per part, or empty for zeros): work the parts already
/// carry. `holder` (one per item, or empty): a holder-first pass before LPT —
/// items in the same order go to their holder (a part index; < 0 for none)
/// while its load stays within the mean (all initial loads and weights over
/// `parts`); the rest then by LPT from those loads. A part's load ends at
/// most one item above the mean, the list-scheduling bound. Tiles use it to
/// keep a tile on the rank that already holds most of its points
/// (tiles/tile_owners.hpp).
LptPlan lpt_plan(const std::vector<double>& weights, int parts,
                 const std::vector<double>& initial_load = {}, const std::vector<int>& holder = {});

}  // namespace tessera
