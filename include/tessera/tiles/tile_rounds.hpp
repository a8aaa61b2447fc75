// Tile rounds: processing a run whose points exceed memory a few tiles at a
// time (spec: "a run whose points exceed memory processes tiles in rounds").
//
// Tiles first go to ranks by LPT on their core counts (plan_tiles); rounds do
// not change owners. With a budget of B points per rank (--memory-mb: B =
// MB·2^20 / sizeof(TilePoint), i.e. 48-byte points), each rank's tiles are
// packed into rounds by first-fit decreasing on the tile's *held* points —
// its core and halo copies of both epochs, the points the rank holds while
// the tile is processed — so a round's tiles hold at most B points; then
// spread over that many rounds largest first into the lightest round (LPT)
// where that stays within B, so that the rounds are even. A tile that alone
// holds more than B gets a round of its own (and a warning: it is processed
// anyway, above the budget). Every rank takes part in every round (the
// exchange is collective), with no tile when it has fewer rounds.
//
// The budget covers the exchanged tile points, which dominate; not the read
// blocks every rank keeps (1/P of the input, mapped, and its per-tile record
// lists, 4 bytes a copy), nor the send/receive buffers of one round's
// exchange (≤ 2× the round; kept for the next round unless --memory-mb is set).
//
// Rounds change nothing in the results: a tile's output depends only on the
// tile's own points, and the output file's layout is fixed up front
// (TiledLasWriter), so outputs are byte-identical for any number of rounds.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/core/mpi.hpp"
#include "tessera/tiles/tile_plan.hpp"

namespace tessera::tiles {

struct TileRounds {
  int rounds = 1;
  std::vector<int> round;             ///< round of each tile
  std::vector<std::int64_t> held;     ///< points held per tile (empty: unlimited)
  std::int64_t budget_points = 0;     ///< 0: unlimited (one round)
  std::vector<int> oversized;         ///< tiles holding more than the budget
  std::int64_t max_round_points = 0;  ///< largest points one rank holds in one round

  /// Mask of the tiles processed in round `r` (by any rank).
  std::vector<std::uint8_t> active(int r) const;
};

/// Points per rank for a budget in MiB (0 = unlimited).
std::int64_t budget_points(double memory_mb);

/// Pure: packs each rank's tiles (`owner`) into rounds by first-fit
/// decreasing on `held` (ties: lower tile first), so each round of a rank
/// holds at most `budget` points, then spreads each rank's tiles evenly over
/// the rounds (LPT) when that stays within the budget; budget 0 = one round.
TileRounds split_rounds(const std::vector<std::int64_t>& held, const std::vector<int>& owner,
                        int nranks, std::int64_t budget);

/// Collective: counts the points each tile will hold (core + halo copies of
/// every epoch, this rank's per tile in `copies` (TileRecords::copies),
/// summed over ranks; only when a budget is set) and splits the tiles into
/// rounds. Logs the rounds on rank 0 and warns about tiles larger than the
/// budget. `option` names the budget's command-line option in the log. A
/// `soft` budget is a working-set cap chosen for speed (c2c's --round-mb),
/// not a memory limit: it is raised to the largest tile's points, so no
/// tile is above it and nothing is warned about.
TileRounds plan_rounds(const Comm& comm, const TilePlan& plan,
                       const std::vector<const std::vector<std::int64_t>*>& copies,
                       double memory_mb, const char* option = "--memory-mb", bool soft = false);

}  // namespace tessera::tiles
