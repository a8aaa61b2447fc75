// Moving points to their tiles' owners, round by round.
//
// Each point goes to the owner of its core tile and, for a halo > 0, to the
// owners of the tiles whose halo holds it. A round moves only the copies
// bound for its tiles (tile_rounds.hpp): the records listed under those
// tiles (TileRecords, tile_plan.hpp) are decoded straight into their slots
// — this rank's tiles in the result, the others' in a send buffer — and the
// runs of each tile cross between ranks as one message each (Comm::exchange_runs).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "tessera/core/mpi.hpp"
#include "tessera/tiles/epoch.hpp"
#include "tessera/tiles/tile_plan.hpp"
#include "tessera/tiles/tile_point.hpp"

namespace tessera::tiles {

/// Points stored without being initialised: growing it neither copies nor
/// fills (std::vector would do both, ~0.04 s a run at 2 ranks on the medium
/// pair), since every slot is written by the exchange before it is read.
/// TilePoint is an implicit-lifetime aggregate, so malloc'd storage holds
/// its objects.
class PointBuffer {
 public:
  /// `n` slots, contents unspecified (the earlier ones kept when there was room).
  TilePoint* resize(std::size_t n);
  TilePoint* data() { return data_.get(); }
  std::span<const TilePoint> view() const { return {data_.get(), size_}; }

 private:
  struct Free {
    void operator()(TilePoint* p) const noexcept;
  };
  std::unique_ptr<TilePoint, Free> data_;
  std::size_t size_ = 0, capacity_ = 0;
};

/// An exchange's buffers, kept from one round to the next: later rounds
/// overwrite the memory of the first instead of allocating and filling
/// fresh vectors.
struct ExchangeBuffers {
  PointBuffer points;  ///< the round's points of this rank's tiles
  PointBuffer send;    ///< the round's outgoing copies
};

/// Collective: the copies (core + halo, as listed in `index`, scan_block on
/// plan.grid) of a mapped block's points bound for the tiles with
/// `active[t] != 0` (all when empty) move to the tiles' owners. Returns this
/// rank's points of its active tiles sorted by (tile, id), `tile` set, in
/// buffers.points. Peak: this rank's received points and the outgoing
/// copies, with no decoded copy of the block.
std::span<const TilePoint> exchange_tiles(const Comm& comm, const TilePlan& plan,
                                          const EpochBlock& block, const TileRecords& index,
                                          const std::vector<std::uint8_t>& active,
                                          ExchangeBuffers& buffers);

/// [begin, end) of each tile's run in a span sorted by tile.
std::map<int, std::pair<std::size_t, std::size_t>> tile_runs(std::span<const TilePoint> pts);

}  // namespace tessera::tiles
