// Tile rounds under a memory budget; see include/tessera/tiles/tile_rounds.hpp.
#include "tessera/tiles/tile_rounds.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/partition.hpp"

namespace tessera::tiles {

std::vector<std::uint8_t> TileRounds::active(int r) const {
  std::vector<std::uint8_t> mask(round.size(), 0);
  for (std::size_t t = 0; t < round.size(); ++t)
    mask[t] = round[t] == r ? 1 : 0;
  return mask;
}

std::int64_t budget_points(double memory_mb) {
  if (!(memory_mb >= 0) || !std::isfinite(memory_mb))
    throw UsageError("--memory-mb must be a number of MiB >= 0 (0 = unlimited)");
  if (memory_mb == 0)
    return 0;
  const double points = std::floor(memory_mb * 1048576.0 / static_cast<double>(sizeof(TilePoint)));
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::min(points, 9.0e18)));
}

TileRounds split_rounds(const std::vector<std::int64_t>& held, const std::vector<int>& owner,
                        int nranks, std::int64_t budget) {
  TileRounds out;
  out.round.assign(owner.size(), 0);
  out.held = held;
  out.budget_points = budget;
  if (budget <= 0)
    return out;
  out.rounds = 0;
  std::vector<std::vector<std::size_t>> mine(static_cast<std::size_t>(nranks));
  for (std::size_t t = 0; t < owner.size(); ++t)
    mine[static_cast<std::size_t>(owner[t])].push_back(t);
  for (auto& tiles : mine) {
    // First-fit decreasing: few rounds, and deterministic (ties by tile index).
    std::stable_sort(tiles.begin(), tiles.end(),
                     [&](std::size_t x, std::size_t y) { return held[x] > held[y]; });
    std::vector<std::int64_t> load;  // points per round of this rank
    for (std::size_t t : tiles) {
      std::size_t r = 0;
      if (held[t] > budget) {
        out.oversized.push_back(static_cast<int>(t));
        r = load.size();  // alone in a new round
        load.push_back(held[t]);
        out.round[t] = static_cast<int>(r);
        // Close the round to other tiles: mark it full.
        load[r] = std::numeric_limits<std::int64_t>::max();
        out.max_round_points = std::max(out.max_round_points, held[t]);
        continue;
      }
      while (r < load.size() && load[r] > budget - held[t])
        ++r;
      if (r == load.size())
        load.push_back(0);
      load[r] += held[t];
      out.round[t] = static_cast<int>(r);
      out.max_round_points = std::max(out.max_round_points, load[r]);
    }
    out.rounds = std::max(out.rounds, static_cast<int>(std::max<std::size_t>(1, load.size())));
  }
  // First-fit decreasing fills the first rounds and leaves the last one
  // light, differently on each rank; every round's exchange waits for the
  // slowest rank. So each rank's tiles are then spread over all the rounds,
  // largest first into the lightest round (LPT; ties to the lower round):
  // rounds of about 1/rounds of the rank's points each. A rank keeps its
  // first-fit rounds when LPT would break the budget, or has an oversized tile.
  const auto nrounds = static_cast<std::size_t>(out.rounds);
  for (const auto& tiles : mine) {
    bool ok = true;
    for (std::size_t t : tiles)
      ok = ok && held[t] <= budget;
    if (!ok || tiles.empty())
      continue;
    std::vector<double> weight(tiles.size());
    for (std::size_t k = 0; k < tiles.size(); ++k)
      weight[k] = static_cast<double>(held[tiles[k]]);
    const LptPlan lpt = lpt_plan(weight, out.rounds);
    if (lpt.makespan() > static_cast<double>(budget))
      continue;
    for (std::size_t k = 0; k < tiles.size(); ++k)
      out.round[tiles[k]] = lpt.owner[k];
  }
  // The largest round of any rank, after the spreading.
  std::vector<std::int64_t> per(static_cast<std::size_t>(nranks) * nrounds, 0);
  out.max_round_points = 0;
  for (std::size_t t = 0; t < owner.size(); ++t) {
    std::int64_t& l =
        per[static_cast<std::size_t>(owner[t]) * nrounds + static_cast<std::size_t>(out.round[t])];
    l += held[t];
    out.max_round_points = std::max(out.max_round_points, l);
  }
  std::sort(out.oversized.begin(), out.oversized.end());
  return out;
}

TileRounds plan_rounds(const Comm& comm, const TilePlan& plan,
                       const std::vector<const std::vector<std::int64_t>*>& copies,
                       double memory_mb, const char* option, bool soft) {
  std::int64_t budget = budget_points(memory_mb);
  std::vector<std::int64_t> held;
  if (budget > 0) {
    held.assign(static_cast<std::size_t>(plan.grid.count()), 0);
    for (const auto* c : copies) {
      for (std::size_t t = 0; t < held.size(); ++t)
        held[t] += (*c)[t];
    }
    comm.allreduce(held, ReduceOp::sum);
  }
  if (soft && !held.empty())
    budget = std::max(budget, *std::max_element(held.begin(), held.end()));
  TileRounds rounds = split_rounds(held, plan.owner, comm.size(), budget);
  if (comm.is_root()) {
    if (budget > 0) {
      log::info(
          "tiles: {} round(s) within {} {} ({} points per rank and round; largest "
          "round {} points)",
          rounds.rounds, option, memory_mb, budget, rounds.max_round_points);
    } else {
      log::info("tiles: 1 round (no --memory-mb budget)");
    }
    for (std::size_t i = 0; i < rounds.oversized.size() && i < 10; ++i) {
      const int t = rounds.oversized[i];
      log::warn(
          "tile {} alone holds {} points (core + halo), more than the {} budget "
          "of {} points: processed in a round of its own above the budget "
          "(use a smaller --tile-size)",
          t, rounds.held[static_cast<std::size_t>(t)], option, budget);
    }
    if (rounds.oversized.size() > 10)
      log::warn("... {} tiles in all are above the budget", rounds.oversized.size());
  }
  return rounds;
}

}  // namespace tessera::tiles
