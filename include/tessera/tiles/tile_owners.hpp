// Which rank owns each tile: balanced like LPT, but local where it can be.
//
// Points reach a tile's owner through the exchange (epoch.hpp), and every
// point whose tile is owned elsewhere crosses between ranks: at 2 ranks on
// the medium pair, plain LPT (core/partition.hpp) sends about half of the
// points, and the exchange took longer than at one rank. Lidar files are
// written in spatial order (scan lines, flight lines, or tiles), so a
// rank's contiguous block of records covers a compact area, and most tiles
// have one rank that holds most of their points: their holder. Keeping a
// tile with its holder keeps those points local (a copy, no message).
//
// Rule: tiles in decreasing cost (ties by index); pass 1 gives each tile to
// its holder if the holder's load stays within the mean load (total /
// parts); pass 2 gives the others, in the same order, to the least-loaded
// rank (lowest rank on ties), as Graham's LPT rule does. A rank's load
// therefore ends at most the mean plus one tile above it, the list-scheduling
// bound. Deterministic: every rank computes the same owners from the same
// reduced counts. Owners never change an output's bytes (outputs are
// ordered by tile and record index), only where the work is done.
#pragma once

#include <vector>

namespace tessera::tiles {

/// owner[t] for tiles of `cost` (>= 0) whose points are mostly on rank
/// `holder[t]`, over `parts` ranks.
std::vector<int> local_first_owners(const std::vector<double>& cost, const std::vector<int>& holder,
                                    int parts);

}  // namespace tessera::tiles
