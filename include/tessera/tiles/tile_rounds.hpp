// Tile rounds: processing a run whose points exceed memory a few tiles at a
// time (spec: "a run whose points exceed memory processes tiles in rounds").
//
// Tiles first go to ranks by LPT on their core counts (plan_tiles); rounds do
// not change owners. With a budget of B points per rank (--memory-mb: B =
// MB·2^20 / sizeof(TilePoint), i.e. 48-byte points), each rank's tiles are
// packed into rounds by first-fit decreasing on the tile's *held* points —
// its core and halo copies of both epochs, the points the rank holds while
// the tile is processed — so a round's tiles hold at most B points. A tile
// that alone holds more than B gets a round of its own (and a warning: it is
// processed anyway, above the budget). Every rank takes part in every round
// (the exchange is collective), with no tile when it has fewer rounds.
//
// The budget covers the exchanged tile points, which dominate; not the read
// blocks every rank keeps (1/P of the input, re-scanned every round), nor the
// transient send/receive buffers of one round's exchange (≤ 2× the round).
//
// Rounds change nothing in the results: a tile's output depends only on the
// tile's own points, and the output file's layout is fixed up front
// (TiledLasWriter), so outputs are byte-identical for any number of rounds.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/core/mpi.hpp"
#include "tessera/tiles/epoch.hpp"

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
/// holds at most `budget` points; budget 0 = one round.
TileRounds split_rounds(const std::vector<std::int64_t>& held, const std::vector<int>& owner,
                        int nranks, std::int64_t budget);

/// One epoch's local points and the halo its copies are sent with.
struct EpochHalo {
  const std::vector<TilePoint>* points;
  double halo;
};

/// Collective: counts the points each tile will hold (core + halo copies of
/// every epoch, summed over ranks; only when a budget is set) and splits the
/// tiles into rounds. Logs the rounds on rank 0 and warns about tiles larger
/// than the budget.
TileRounds plan_rounds(const Comm& comm, const TilePlan& plan, const std::vector<EpochHalo>& epochs,
                       double memory_mb);
/// The same from this rank's copies per tile of each epoch (TileScan::copies).
/// `option` names the budget's command-line option in the log.
TileRounds plan_rounds_from_counts(const Comm& comm, const TilePlan& plan,
                                   const std::vector<const std::vector<std::int64_t>*>& copies,
                                   double memory_mb, const char* option = "--memory-mb");

}  // namespace tessera::tiles
