// Points to tile owners; see include/tessera/tiles/tile_exchange.hpp.
#include "tessera/tiles/tile_exchange.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <limits>
#include <new>
#include <numeric>

#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/perf.hpp"

namespace tessera::tiles {

namespace {

/// The exchange given the copies bound for each tile (0 for tiles not in the
/// round) and a placer that writes each copy at place[its tile]++ (place[t]:
/// the next free slot of tile t, in the result or the send buffer), each
/// tile's copies in id order. This rank's points of its tiles, sorted by
/// (tile, id), go to result(n), n slots it provides; outgoing copies to send(n).
void exchange_placed(const Comm& comm, const TilePlan& plan,
                     const std::vector<std::int64_t>& tile_count,
                     const std::function<void(std::vector<TilePoint*>&)>& placer,
                     const std::function<TilePoint*(std::size_t)>& result,
                     const std::function<TilePoint*(std::size_t)>& send_slots) {
  const int nranks = comm.size();
  const auto ntiles = static_cast<std::size_t>(plan.grid.count());
  std::vector<TilePoint*> place(ntiles, nullptr);
  auto scatter = [&] { placer(place); };
  // One rank: that order, tiles ascending, is the result; nothing to move.
  if (nranks == 1) {
    TilePoint* at = result(static_cast<std::size_t>(
        std::accumulate(tile_count.begin(), tile_count.end(), std::int64_t{0})));
    for (std::size_t t = 0; t < ntiles; ++t) {
      place[t] = at;
      at += tile_count[t];
    }
    scatter();
    return;
  }

  // Each rank's tiles, ascending: the order of its block in every sender's
  // send buffer.
  const int me = comm.rank();
  std::vector<std::vector<int>> owned(static_cast<std::size_t>(nranks));
  for (std::size_t t = 0; t < ntiles; ++t)
    owned[static_cast<std::size_t>(plan.owner[t])].push_back(static_cast<int>(t));
  const std::vector<int>& mine = owned[static_cast<std::size_t>(me)];
  const std::size_t nmine = mine.size();
  // Every receiver learns from every sender the count of each of its tiles,
  // so each sender's run of a tile is received straight into its final
  // place: tiles ascending, within a tile the senders in rank order (read
  // blocks are contiguous, so ids grow with the rank), each run in id
  // order. That is the (tile, id) order with no receive-then-sort pass over
  // all the points (a full copy, and as much fresh memory to fault in).
  // One collective: the counts' own sizes follow from the plan (no count
  // exchange before them), and each block ends with the sender's flag "a
  // run of mine passes MPI's 2^31" (every rank learns every flag, so the
  // runs' size check needs no collective of its own). Before, each
  // exchange had an MPI_Alltoall and two allreduces besides: c2c on the
  // medium pair at 2 ranks runs 8 rounds of 2 exchanges, 48 synchronisations
  // fewer now (its exchange region 0.83x, measured on a loaded host).
  std::vector<int> csc(static_cast<std::size_t>(nranks)),
      crc(static_cast<std::size_t>(nranks), static_cast<int>(nmine) + 1);
  std::vector<std::int64_t> cs;
  cs.reserve(ntiles + static_cast<std::size_t>(nranks));
  bool too_big = false;
  for (int r = 0; r < nranks; ++r) {
    const auto& tiles = owned[static_cast<std::size_t>(r)];
    csc[static_cast<std::size_t>(r)] = static_cast<int>(tiles.size()) + 1;
    for (int t : tiles) {
      const std::int64_t n = tile_count[static_cast<std::size_t>(t)];
      cs.push_back(n);
      too_big = too_big || (r != me && n > std::numeric_limits<int>::max());
    }
    cs.push_back(0);  // the flag, set below
  }
  for (int r = 0, at = 0; r < nranks; ++r) {
    at += csc[static_cast<std::size_t>(r)];
    cs[static_cast<std::size_t>(at - 1)] = too_big ? 1 : 0;
  }
  std::vector<std::int64_t> cr;
  {
    perf::Region counts_region("counts");
    cr = comm.alltoallv(cs, csc, crc);
  }
  const std::size_t stride = nmine + 1;
  for (int src = 0; src < nranks; ++src) {
    if (cr[static_cast<std::size_t>(src) * stride + nmine] != 0)
      throw ParallelError(
          "tile exchange: more than 2^31 - 1 points of one tile on one rank: use a smaller "
          "--tile-size or more ranks");
  }
  // Where sender s's run of my k-th tile goes: pos[s * stride + k].
  std::vector<std::int64_t> pos(cr.size());
  std::int64_t recv_total = 0;
  for (std::size_t k = 0; k < nmine; ++k) {
    for (int src = 0; src < nranks; ++src) {
      const std::size_t at = static_cast<std::size_t>(src) * stride + k;
      pos[at] = recv_total;
      recv_total += cr[at];
    }
  }
  // Copies for this rank's own tiles go straight to their place in the
  // receive buffer; only the others pass through a send buffer, ordered by
  // (owner rank, tile). With owners chosen for locality (tile_owners.hpp)
  // that is a small part of the points.
  std::int64_t send_total = 0;
  for (int r = 0; r < nranks; ++r) {
    for (int t : owned[static_cast<std::size_t>(r)])
      send_total += r == me ? 0 : tile_count[static_cast<std::size_t>(t)];
  }
  // Allocating can fail on one rank as much as reading can: both inside the
  // phase, so every rank agrees before the sends.
  TilePoint* recv = nullptr;
  TilePoint* send = nullptr;
  {
    perf::Region region("place");
    run_phase(comm, "place points", [&] {
      recv = result(static_cast<std::size_t>(recv_total));
      send = send_slots(static_cast<std::size_t>(send_total));
      TilePoint* at = send;
      for (int r = 0; r < nranks; ++r) {
        if (r == me)
          continue;
        for (int t : owned[static_cast<std::size_t>(r)]) {
          place[static_cast<std::size_t>(t)] = at;
          at += tile_count[static_cast<std::size_t>(t)];
        }
      }
      for (std::size_t k = 0; k < nmine; ++k)
        place[static_cast<std::size_t>(mine[k])] =
            recv + pos[static_cast<std::size_t>(me) * stride + k];
      scatter();
    });
  }
  perf::Region transfer("transfer");

  // Runs between a pair of ranks are sent and received in ascending tile
  // order on one tag; MPI's non-overtaking rule matches them in that order.
  // Counts are in points, one message per tile and rank pair: MPI's int
  // counts allow 2^31 points per message (checked above, on every rank).
  std::vector<Run<TilePoint>> recvs;
  std::vector<Run<const TilePoint>> sends;
  for (int src = 0; src < nranks; ++src) {
    if (src == me)
      continue;
    for (std::size_t k = 0; k < nmine; ++k) {
      const std::size_t idx = static_cast<std::size_t>(src) * stride + k;
      if (cr[idx] != 0)
        recvs.push_back({src, recv + pos[idx], static_cast<std::size_t>(cr[idx])});
    }
  }
  // The send buffer holds the other owners' blocks in rank order.
  std::size_t off = 0;
  for (int dst = 0; dst < nranks; ++dst) {
    if (dst == me)
      continue;
    for (int t : owned[static_cast<std::size_t>(dst)]) {
      const auto n = static_cast<std::size_t>(tile_count[static_cast<std::size_t>(t)]);
      if (n == 0)
        continue;
      sends.push_back({dst, send + off, n});
      off += n;
    }
  }
  constexpr int kTag = 4801;
  comm.exchange_runs(recvs, sends, kTag, /*sizes_agreed=*/true);
}

}  // namespace

std::span<const TilePoint> exchange_tiles(const Comm& comm, const TilePlan& plan,
                                          const EpochBlock& block, const TileRecords& index,
                                          const std::vector<std::uint8_t>& active,
                                          ExchangeBuffers& buffers) {
  perf::Region region("exchange");
  require_mapped(block);
  const auto ntiles = static_cast<std::size_t>(plan.grid.count());
  if (index.records.size() != ntiles)
    throw ParallelError("exchange_tiles: the tile index is not of this plan's grid");
  std::vector<std::int64_t> tile_count(ntiles, 0);
  for (std::size_t t = 0; t < ntiles; ++t) {
    if (active.empty() || active[t] != 0)
      tile_count[t] = static_cast<std::int64_t>(index.records[t].size());
  }
  // Each round decodes only its tiles' records, straight into their slots.
  auto placer = [&](std::vector<TilePoint*>& place) {
    const std::size_t len = block.header.record_length;
    const io::LasPointDecoder dec = block.decoder();
    const std::uint8_t* records = block.records.data();
    for (std::size_t t = 0; t < ntiles; ++t) {
      if (tile_count[t] == 0)
        continue;
      TilePoint* out = place[t];
      for (const std::uint64_t r : index.records[t]) {
        decode_point(dec, records + r * len, block.first + r, *out);
        out->tile = static_cast<std::int32_t>(t);
        ++out;
      }
      place[t] = out;
    }
  };
  exchange_placed(
      comm, plan, tile_count, placer,
      [&buffers](std::size_t n) { return buffers.points.resize(n); },
      [&buffers](std::size_t n) { return buffers.send.resize(n); });
  return buffers.points.view();
}

TilePoint* PointBuffer::resize(std::size_t n) {
  if (n > capacity_) {
    // Nothing to keep: the exchange overwrites every slot.
    data_.reset();
    capacity_ = 0;
    auto* p = static_cast<TilePoint*>(std::malloc(n * sizeof(TilePoint)));
    if (p == nullptr)
      throw std::bad_alloc();
    data_.reset(p);
    capacity_ = n;
  }
  size_ = n;
  return data_.get();
}

void PointBuffer::Free::operator()(TilePoint* p) const noexcept {
  std::free(p);
}

std::map<int, std::pair<std::size_t, std::size_t>> tile_runs(std::span<const TilePoint> pts) {
  std::map<int, std::pair<std::size_t, std::size_t>> runs;
  // Sorted by tile: each run's end by binary search, so a round's few long
  // runs cost a few dozen probes instead of a pass over every point.
  auto i = pts.begin();
  while (i != pts.end()) {
    const int tile = i->tile;
    const auto j =
        std::partition_point(i, pts.end(), [tile](const TilePoint& p) { return p.tile == tile; });
    runs[tile] = {static_cast<std::size_t>(i - pts.begin()),
                  static_cast<std::size_t>(j - pts.begin())};
    i = j;
  }
  return runs;
}

}  // namespace tessera::tiles
