// Work of (item, day) pairs cut into groups of items, each with its own
// ranks: the raster steps' split when days alone are too few work items.
// Pure functions, no MPI (like partition.hpp, whose block ranges it uses).
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/core/partition.hpp"

namespace tessera {

/// One group of a GroupPlan: a contiguous block of the items (variables,
/// zones) and the contiguous block of parts (ranks) that share them; the
/// parts of a group divide its days among themselves with block_range.
struct ItemGroup {
  BlockRange items;
  BlockRange parts;
};

/// `items` x `days` work items (item, day) over `parts` ranks, cut into
/// groups of items with their own ranks (plan_item_groups).
struct GroupPlan {
  std::vector<ItemGroup> groups;
  /// (item, day) pairs on the busiest part: max over groups of
  /// items x ceil(days / parts).
  std::int64_t busiest = 0;
  /// The group of part `p`.
  int group_of(int part) const;
};

/// Cuts (item, day) work into G groups, G = 1 .. min(items, parts): group g
/// takes items block_range(items, G, g) and a share of the parts
/// proportional to its items, and its parts split the days. G = 1 is "days
/// only". Days alone stop helping past `days` parts and leave a remainder
/// (365 days on 256 ranks: 2 and 1 days, 71 %); groups give every group's
/// days fewer parts, so the remainder shrinks (the same on 2 groups: 6 of
/// 5.7 (item, day) pairs, 95 %). The plan is the fewest groups whose busiest
/// part has at most (1 + tolerance) x the best plan's pairs: a group is a
/// communicator of its own, and the items of a day are often cheaper
/// together (one read of a day's rows serves every zone), so a split that
/// gains little is not taken. Pure and deterministic: every rank computes
/// the same plan.
GroupPlan plan_item_groups(std::int64_t items, std::int64_t days, int parts,
                           double tolerance = 0.1);

}  // namespace tessera
