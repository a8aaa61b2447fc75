// Parallel read, tile exchange and parallel LAS output; see
// include/tessera/tiles/epoch.hpp.
#include "tessera/tiles/epoch.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>

#include "las_stats_reduce.hpp"
#include "tessera/core/atomic_file.hpp"
#include "tessera/core/cli.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/las_reader.hpp"
#include "tessera/io/las_writer.hpp"
#include "tessera/io/laz/laz_writer.hpp"
#include "tessera/tiles/tile_owners.hpp"
#include "tessera/tiles/tiled_las_writer.hpp"

namespace tessera::tiles {

namespace {

constexpr std::uint64_t kReadChunk = 1 << 18;  // records per pread

io::LasRecordStats stats_of(const io::LasHeader& h, const std::uint8_t* rec, std::size_t n) {
  io::LasPointLayout layout(h.point_format, h.record_length);
  io::LasRecordStats s;
  for (std::size_t i = 0; i < n; ++i)
    s.add(layout, rec + i * h.record_length);
  return s;
}

}  // namespace

std::vector<int> parse_classes(const std::string& text) {
  if (text.empty() || text == "all")
    return {};
  std::vector<int> out;
  for (const std::string& part : cli::split_list(text)) {
    try {
      std::size_t used = 0;
      int c = std::stoi(part, &used);
      if (used != part.size() || c < 0 || c > 255)
        throw std::invalid_argument(part);
      out.push_back(c);
    } catch (const std::exception&) {
      throw UsageError("--classes: \"" + part + "\" is not a class code 0-255 (or use \"all\")");
    }
  }
  return out;
}

TilePoint decode_point(const io::LasHeader& h, const io::LasPointLayout& layout,
                       const std::uint8_t* r, std::uint64_t id) {
  TilePoint p;
  p.x = layout.raw_x(r) * h.scale[0] + h.offset[0];
  p.y = layout.raw_y(r) * h.scale[1] + h.offset[1];
  p.z = layout.raw_z(r) * h.scale[2] + h.offset[2];
  p.id = id;
  p.intensity = layout.intensity(r);
  p.classification = layout.class_code(r);
  if (layout.legacy) {
    p.returns = static_cast<std::uint8_t>((r[14] & 0x07) | (((r[14] >> 3) & 0x07) << 4));
  } else {
    p.returns = r[14];
  }
  if (layout.gps_time >= 0)
    p.gps_time = io::LasPointLayout::load<double>(r, layout.gps_time);
  return p;
}

namespace {

/// decode_point with the per-file choices (format family, GPS time, scale
/// and offset) hoisted out of the record loops that use it.
struct RecordDecoder {
  RecordDecoder(const io::LasHeader& h, const io::LasPointLayout& layout)
      : sx(h.scale[0]),
        sy(h.scale[1]),
        sz(h.scale[2]),
        ox(h.offset[0]),
        oy(h.offset[1]),
        oz(h.offset[2]),
        class_at(layout.legacy ? 15 : 16),
        class_mask(layout.legacy ? 0x1F : 0xFF),
        gps_at(layout.gps_time),
        legacy(layout.legacy) {}

  std::uint8_t class_of(const std::uint8_t* rec) const { return rec[class_at] & class_mask; }
  /// x and y as decode writes them (the same expressions, so the same bits).
  double x(const std::uint8_t* rec) const {
    return io::LasPointLayout::load<std::int32_t>(rec, 0) * sx + ox;
  }
  double y(const std::uint8_t* rec) const {
    return io::LasPointLayout::load<std::int32_t>(rec, 4) * sy + oy;
  }
  /// Every field but `tile` (left to the caller).
  void decode(const std::uint8_t* rec, std::uint64_t id, TilePoint& p) const {
    using L = io::LasPointLayout;
    p.x = x(rec);
    p.y = y(rec);
    p.z = L::load<std::int32_t>(rec, 8) * sz + oz;
    p.id = id;
    p.intensity = L::load<std::uint16_t>(rec, 12);
    p.classification = class_of(rec);
    p.returns = legacy
                    ? static_cast<std::uint8_t>((rec[14] & 0x07) | (((rec[14] >> 3) & 0x07) << 4))
                    : rec[14];
    p.gps_time = gps_at >= 0 ? L::load<double>(rec, gps_at) : 0.0;
  }

  double sx, sy, sz, ox, oy, oz;
  int class_at;
  std::uint8_t class_mask;
  int gps_at;
  bool legacy;
};

/// decode_point over `m` records `stride` apart, each point written in place
/// into capacity reserved by the caller. The arithmetic is decode_point's,
/// so the values are identical.
void decode_chunk(const io::LasHeader& h, const io::LasPointLayout& layout, const bool* wanted,
                  const std::uint8_t* records, std::uint64_t m, std::uint64_t first_id,
                  std::vector<TilePoint>& out, std::uint64_t stride = 1) {
  const std::size_t len = h.record_length * stride;
  const RecordDecoder dec(h, layout);
  for (std::uint64_t i = 0; i < m; ++i) {
    // Indexed, not advanced: with a stride, advancing past the last record
    // would point beyond the end of the block.
    const std::uint8_t* rec = records + i * len;
    if (!wanted[dec.class_of(rec)])
      continue;
    TilePoint& p = out.emplace_back();
    dec.decode(rec, first_id + i * stride, p);
  }
}

}  // namespace

void encode_point6(const TilePoint& p, const io::LasHeader& h, std::uint8_t* r) {
  std::memset(r, 0, 30);
  const double xyz[3] = {p.x, p.y, p.z};
  for (int i = 0; i < 3; ++i) {
    const double v = std::nearbyint((xyz[i] - h.offset[i]) / h.scale[i]);
    const auto raw = static_cast<std::int32_t>(std::clamp(v, double{INT32_MIN}, double{INT32_MAX}));
    io::LasPointLayout::store(r, 4 * i, raw);
  }
  io::LasPointLayout::store(r, 12, p.intensity);
  r[14] = p.returns;
  r[16] = p.classification;
  io::LasPointLayout::store(r, 22, p.gps_time);
}

namespace {

std::array<bool, 256> wanted_classes(const std::vector<int>& classes) {
  std::array<bool, 256> wanted;
  wanted.fill(classes.empty());
  for (int c : classes)
    wanted[static_cast<std::size_t>(c)] = true;
  return wanted;
}

}  // namespace

EpochBlock open_epoch(const Comm& comm, const std::filesystem::path& path,
                      const std::vector<int>& classes, const std::string& label) {
  EpochBlock block;
  block.path = path;
  block.label = label;
  block.classes = classes;
  // Every rank opens and validates: the outcome is the same on all ranks, and
  // run_phase makes sure nobody is left waiting if it is not.
  std::shared_ptr<io::LasReader> reader;
  run_phase(comm, "open " + label, [&] { reader = std::make_shared<io::LasReader>(path); });
  block.header = reader->header();
  block.box_min = {block.header.min[0], block.header.min[1]};
  block.box_max = {block.header.max[0], block.header.max[1]};
  // A block of records; for LAZ of whole chunks (each decoded by one rank).
  const auto [first, end] = reader->part(comm.size(), comm.rank());
  block.first = first;
  block.count = end - first;
  block.reader = std::move(reader);
  return block;
}

void require_selected(const Comm& comm, EpochBlock& block, std::int64_t local) {
  block.total_selected = comm.allreduce_sum(local);
  if (block.total_selected > 0)
    return;
  const std::vector<int>& classes = block.classes;
  std::string which = classes.empty() ? "any class" : "classes";
  for (std::size_t i = 0; i < classes.size(); ++i) {
    which += i ? ',' : ' ';
    which += std::to_string(classes[i]);
  }
  throw FormatError("epoch " + block.label + " is empty: no point of " + which + " among its " +
                        std::to_string(block.reader->point_count()) + " points (see --classes)",
                    block.path.string());
}

EpochBlock read_epoch(const Comm& comm, const std::filesystem::path& path,
                      const std::vector<int>& classes, const std::string& label, bool keep_raw) {
  perf::Region region("read");
  EpochBlock block = open_epoch(comm, path, classes, label);
  const io::LasReader& reader = *block.reader;
  const io::LasPointLayout layout = reader.layout();
  const std::array<bool, 256> wanted = wanted_classes(classes);
  run_phase(comm, "read " + label, [&] {
    std::vector<std::uint8_t> buf;
    if (keep_raw)
      block.raw.resize(block.count * block.header.record_length);
    // Every record may be selected: reserving the upper bound once avoids
    // the vector's doublings, which copied and page-faulted ~2x the final
    // 48 bytes per point (a third of the read time at 7.5M points).
    block.points.reserve(block.count);
    for (std::uint64_t at = 0, m = 0; at < block.count; at += m) {
      // kReadChunk records, for LAZ rounded to whole chunks (decoded once,
      // by threads side by side).
      m = reader.read_span(block.first + at, kReadChunk, block.first + block.count);
      std::uint8_t* dst;
      if (keep_raw) {
        dst = block.raw.data() + at * block.header.record_length;
      } else {
        buf.resize(m * block.header.record_length);
        dst = buf.data();
      }
      reader.read_records(block.first + at, m, dst);
      perf::add_bytes_read(static_cast<std::int64_t>(m * block.header.record_length));
      decode_chunk(block.header, layout, wanted.data(), dst, m, block.first + at, block.points);
    }
  });
  perf::add_items(static_cast<std::int64_t>(block.points.size()));
  require_selected(comm, block, static_cast<std::int64_t>(block.points.size()));
  check_extent(comm, block);
  block.reader.reset();  // the points hold the block
  return block;
}

PointSource vector_points(const std::vector<TilePoint>& v) {
  return [&v](const PointChunk& visit) { visit(v.data(), v.size()); };
}

void map_block(const Comm& comm, EpochBlock& block) {
  run_phase(comm, "read " + block.label,
            [&] { block.records = block.reader->map_records(block.first, block.count); });
  perf::add_bytes_read(static_cast<std::int64_t>(block.records.size()));
}

namespace {

/// The wanted points' xy extent and how many lie outside the header box.
struct Extent {
  double min[2] = {INFINITY, INFINITY}, max[2] = {-INFINITY, -INFINITY};
  std::int64_t outside = 0;
};

/// The header box widened by half a scale step: bounds are stored rounded,
/// so a point on the edge may decode a hair outside them.
struct HeaderBox {
  explicit HeaderBox(const io::LasHeader& h)
      : lo{h.min[0] - 0.5 * std::abs(h.scale[0]), h.min[1] - 0.5 * std::abs(h.scale[1])},
        hi{h.max[0] + 0.5 * std::abs(h.scale[0]), h.max[1] + 0.5 * std::abs(h.scale[1])} {}
  double lo[2], hi[2];
};

inline void add_to_extent(Extent& e, const HeaderBox& box, double x, double y) {
  e.min[0] = std::min(e.min[0], x);
  e.max[0] = std::max(e.max[0], x);
  e.min[1] = std::min(e.min[1], y);
  e.max[1] = std::max(e.max[1], y);
  if (x < box.lo[0] || x > box.hi[0] || y < box.lo[1] || y > box.hi[1])
    ++e.outside;
}

}  // namespace

void check_extent(const Comm& comm, EpochBlock& block) {
  perf::Region region("extent");
  const io::LasHeader& h = block.header;
  const HeaderBox box(h);
  Extent e;
  run_phase(comm, "extent " + block.label, [&] {
    if (block.records.size() > 0) {
      // The mapped records: x and y decoded as every walk decodes them, on
      // the rank's threads (min, max and counts are order-free, so the
      // result does not depend on them). This first walk also faults the
      // mapping in, which the step's next walk would otherwise do.
      const RecordDecoder dec(h, io::LasPointLayout(h.point_format, h.record_length));
      const std::array<bool, 256> wanted = wanted_classes(block.classes);
      const std::uint8_t* records = block.records.data();
      const std::size_t len = h.record_length;
      const auto n = static_cast<std::int64_t>(block.count);
      double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
      std::int64_t out = 0;
#pragma omp parallel for schedule(static) reduction(min : x0, y0) reduction(max : x1, y1) \
    reduction(+ : out)
      for (std::int64_t i = 0; i < n; ++i) {
        const std::uint8_t* rec = records + static_cast<std::size_t>(i) * len;
        if (!wanted[dec.class_of(rec)])
          continue;
        const double x = dec.x(rec), y = dec.y(rec);
        x0 = std::min(x0, x);
        x1 = std::max(x1, x);
        y0 = std::min(y0, y);
        y1 = std::max(y1, y);
        if (x < box.lo[0] || x > box.hi[0] || y < box.lo[1] || y > box.hi[1])
          ++out;
      }
      e.min[0] = x0;
      e.min[1] = y0;
      e.max[0] = x1;
      e.max[1] = y1;
      e.outside = out;
    } else {
      for (const TilePoint& p : block.points)
        add_to_extent(e, box, p.x, p.y);
    }
  });
  block.outside = comm.allreduce_sum(e.outside);
  if (block.outside == 0)
    return;
  const std::array<double, 2> old_min = block.box_min, old_max = block.box_max;
  for (int d = 0; d < 2; ++d) {
    const auto k = static_cast<std::size_t>(d);
    // The points' own extent, not its union with the header's bounds: a
    // header that misses points is wrong, and may be wildly so (laspy's
    // simple1_3.las stores its raw integers as bounds, 1000x too large).
    block.box_min[k] = comm.allreduce_min(e.min[d]);
    block.box_max[k] = comm.allreduce_max(e.max[d]);
  }
  if (comm.is_root()) {
    log::warn(
        "{}: {} point(s) of epoch {} lie outside the header's bounds x [{}, {}] y [{}, {}]; "
        "grids and tiles cover the points' extent x [{}, {}] y [{}, {}] instead",
        block.path.string(), block.outside, block.label, old_min[0], old_max[0], old_min[1],
        old_max[1], block.box_min[0], block.box_max[0], block.box_min[1], block.box_max[1]);
  }
}

namespace {

void require_mapped(const EpochBlock& block) {
  if (!block.reader || block.records.size() != block.count * block.header.record_length) {
    throw ParallelError("epoch " + block.label + " (" + block.path.string() +
                        ") was not opened by open_epoch and mapped by map_block");
  }
}

}  // namespace

PointSource block_points(const EpochBlock& block, std::uint64_t stride) {
  if (stride == 0)
    throw UsageError("block_points: the stride must be at least 1");
  return [&block, stride](const PointChunk& visit) {
    require_mapped(block);
    // 8192 records: the decoded points (~0.4 MB) stay in L2 between the
    // decode and the pass that uses them.
    constexpr std::uint64_t kChunk = 8192;
    const io::LasHeader& h = block.header;
    const io::LasPointLayout layout = block.reader->layout();
    const std::array<bool, 256> wanted = wanted_classes(block.classes);
    std::vector<TilePoint> points;
    points.reserve(kChunk);
    // Records at, at + stride, ...: chunks of kChunk of them, kChunk·stride apart.
    const std::uint64_t span = kChunk * stride;
    for (std::uint64_t at = 0; at < block.count; at += span) {
      const std::uint64_t m = (std::min(span, block.count - at) + stride - 1) / stride;
      points.clear();
      decode_chunk(h, layout, wanted.data(), block.records.data() + at * h.record_length, m,
                   block.first + at, points, stride);
      visit(points.data(), points.size());
    }
  };
}

TileScan scan_tiles(const TileGrid& grid, const PointSource& source, double halo,
                    std::size_t expected) {
  TileScan scan;
  scan.own.reserve(expected);
  const auto ntiles = static_cast<std::size_t>(grid.count());
  scan.core.assign(ntiles, 0);
  scan.copies.assign(ntiles, 0);
  std::vector<int> halo_tiles;
  source([&](const TilePoint* points, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      const TilePoint& p = points[i];
      // tile_of, with the column and row kept for the inline fast path of
      // halo_tiles (each is a floor of a division).
      const int oc = grid.column(p.x), orow = grid.row(p.y);
      const int own = orow * grid.nx + oc;
      ++scan.core[static_cast<std::size_t>(own)];
      ++scan.copies[static_cast<std::size_t>(own)];
      if (halo <= 0 || grid.deep_inside(p.x, p.y, oc, orow, halo)) {
        scan.own.push_back(own);
        continue;
      }
      grid.halo_tiles(p.x, p.y, halo, halo_tiles);
      for (int t : halo_tiles)
        ++scan.copies[static_cast<std::size_t>(t)];
      scan.own.push_back(halo_tiles.empty() ? own : ~own);
    }
  });
  return scan;
}

void require_overlap(const EpochBlock& a, const EpochBlock& b) {
  const auto &amin = a.box_min, &amax = a.box_max, &bmin = b.box_min, &bmax = b.box_max;
  const bool overlap =
      amin[0] <= bmax[0] && bmin[0] <= amax[0] && amin[1] <= bmax[1] && bmin[1] <= amax[1];
  if (!overlap) {
    throw UsageError(
        fmt::format("epochs do not overlap: {} covers x [{}, {}] y [{}, {}], {} "
                    "covers x [{}, {}] y [{}, {}]",
                    a.path.string(), amin[0], amax[0], amin[1], amax[1], b.path.string(), bmin[0],
                    bmax[0], bmin[1], bmax[1]));
  }
}

TileGrid union_grid(const EpochBlock& a, const EpochBlock& b, double tile_size) {
  return TileGrid::covering(
      std::min(a.box_min[0], b.box_min[0]), std::min(a.box_min[1], b.box_min[1]),
      std::max(a.box_max[0], b.box_max[0]), std::max(a.box_max[1], b.box_max[1]), tile_size);
}

TilePlan plan_tiles(const Comm& comm, const TileGrid& grid,
                    const std::vector<const std::vector<TilePoint>*>& epochs) {
  std::vector<std::int64_t> core(static_cast<std::size_t>(grid.count()), 0);
  for (const auto* pts : epochs) {
    for (const TilePoint& p : *pts)
      ++core[static_cast<std::size_t>(grid.tile_of(p.x, p.y))];
  }
  return plan_tiles_from_counts(comm, grid, {&core});
}

TilePlan plan_tiles_from_counts(const Comm& comm, const TileGrid& grid,
                                const std::vector<const std::vector<std::int64_t>*>& core_counts) {
  TilePlan plan;
  plan.grid = grid;
  plan.points.assign(static_cast<std::size_t>(grid.count()), 0);
  for (const auto* counts : core_counts) {
    for (std::size_t t = 0; t < plan.points.size(); ++t)
      plan.points[t] += (*counts)[t];
  }
  // Each tile's holder: the rank with most of its core points (ties to the
  // lower rank, MPI_MAXLOC's rule), before the counts are summed.
  struct CountRank {
    long count;
    int rank;
  };
  std::vector<CountRank> most(plan.points.size());
  for (std::size_t t = 0; t < most.size(); ++t)
    most[t] = {static_cast<long>(plan.points[t]), comm.rank()};
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, most.data(), grid.count(), MPI_LONG_INT, MPI_MAXLOC,
                          comm.handle()),
            "MPI_Allreduce");
  detail::allreduce_i64(comm, plan.points.data(), grid.count(), MPI_SUM);
  std::vector<double> weights(plan.points.begin(), plan.points.end());
  std::vector<int> holder(most.size());
  for (std::size_t t = 0; t < most.size(); ++t)
    holder[t] = most[t].rank;
  plan.owner = local_first_owners(weights, holder, comm.size());
  return plan;
}

namespace {

/// The exchange behind exchange_active and exchange_scanned, given the
/// copies bound for each tile (0 for tiles not in the round) and a placer
/// that writes each copy at place[its tile]++ (place[t]: the next free slot
/// of tile t, in the result or the send buffer), each tile's copies in id
/// order. This rank's points of its tiles, sorted by (tile, id), go to
/// result(n), n slots it provides; outgoing copies to send(n).
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
  std::vector<int> csc(nranks), crc(nranks, static_cast<int>(nmine));
  for (int r = 0; r < nranks; ++r)
    csc[r] = static_cast<int>(owned[static_cast<std::size_t>(r)].size());
  const std::vector<int> csd = displacements(csc), crd = displacements(crc);
  std::vector<std::int64_t> cs(ntiles), cr(static_cast<std::size_t>(nranks) * nmine);
  for (int r = 0; r < nranks; ++r) {
    const auto& tiles = owned[static_cast<std::size_t>(r)];
    for (std::size_t k = 0; k < tiles.size(); ++k)
      cs[static_cast<std::size_t>(csd[r]) + k] = tile_count[static_cast<std::size_t>(tiles[k])];
  }
  {
    perf::Region counts_region("counts");
    check_mpi(MPI_Alltoallv(cs.data(), csc.data(), csd.data(), MPI_INT64_T, cr.data(), crc.data(),
                            crd.data(), MPI_INT64_T, comm.handle()),
              "MPI_Alltoallv");
  }
  // Where sender s's run of my k-th tile goes: pos[s * nmine + k].
  std::vector<std::int64_t> pos(cr.size());
  std::int64_t recv_total = 0;
  bool too_big = false;
  for (std::size_t k = 0; k < nmine; ++k) {
    for (int src = 0; src < nranks; ++src) {
      const std::size_t at = static_cast<std::size_t>(src) * nmine + k;
      pos[at] = recv_total;
      recv_total += cr[at];
      too_big = too_big || cr[at] > INT_MAX;
    }
  }
  for (std::int64_t c : cs)
    too_big = too_big || c > INT_MAX;
  // Counts are in points (a contiguous type of 48 bytes), one message per
  // tile and rank pair: MPI's int counts allow 2^31 points per message.
  // Agreed on every rank, so nobody is left waiting in the exchange.
  if (comm.allreduce_or(too_big))
    throw ParallelError("more than 2^31 points of one tile on one rank: run with more ranks");
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
            recv + pos[static_cast<std::size_t>(me) * nmine + k];
      scatter();
    });
  }
  perf::Region transfer("transfer");

  MPI_Datatype type;
  check_mpi(MPI_Type_contiguous(sizeof(TilePoint), MPI_BYTE, &type), "MPI_Type_contiguous");
  check_mpi(MPI_Type_commit(&type), "MPI_Type_commit");
  // Runs between a pair of ranks are sent and received in ascending tile
  // order on one tag; MPI's non-overtaking rule matches them in that order.
  constexpr int kTag = 4801;
  std::vector<MPI_Request> requests;
  int rc_mpi = MPI_SUCCESS;
  for (int src = 0; src < nranks && rc_mpi == MPI_SUCCESS; ++src) {
    if (src == me)
      continue;
    for (std::size_t k = 0; k < nmine && rc_mpi == MPI_SUCCESS; ++k) {
      const std::size_t idx = static_cast<std::size_t>(src) * nmine + k;
      if (cr[idx] == 0)
        continue;
      requests.emplace_back();
      rc_mpi = MPI_Irecv(recv + pos[idx], static_cast<int>(cr[idx]), type, src, kTag, comm.handle(),
                         &requests.back());
    }
  }
  // The send buffer holds the other owners' blocks in rank order.
  std::int64_t off = 0;
  for (int dst = 0; dst < nranks && rc_mpi == MPI_SUCCESS; ++dst) {
    if (dst == me)
      continue;
    const auto& tiles = owned[static_cast<std::size_t>(dst)];
    for (std::size_t k = 0; k < tiles.size() && rc_mpi == MPI_SUCCESS; ++k) {
      const std::int64_t n = tile_count[static_cast<std::size_t>(tiles[k])];
      if (n == 0)
        continue;
      requests.emplace_back();
      rc_mpi = MPI_Isend(send + off, static_cast<int>(n), type, dst, kTag, comm.handle(),
                         &requests.back());
      off += n;
    }
  }
  if (rc_mpi == MPI_SUCCESS)
    rc_mpi = MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
  MPI_Type_free(&type);
  check_mpi(rc_mpi, "MPI_Isend/MPI_Irecv");
}

/// The exchange of the points bound for the tiles where `active` is non-zero
/// (all tiles when it is empty). `source` is walked once, to place each copy
/// (`scan` is its scan_tiles with the same halo); when `release` is given
/// (the vector behind `source`), it is freed once every copy is placed (in
/// the result or the send buffer). Peak: the source's points when they are
/// held, this rank's received points (its own tiles' copies and the incoming
/// ones) and the outgoing copies, all at once — about two copies of the
/// points when tile owners follow locality (tile_owners.hpp: ~10 % of the
/// points cross at 2 ranks on the medium pair), up to three when almost
/// every point changes rank. (A mapped open_epoch block goes through
/// exchange_scanned instead: one copy and the send buffer.)
std::vector<TilePoint> exchange_active(const Comm& comm, const TilePlan& plan,
                                       const PointSource& source, const TileScan& scan, double halo,
                                       const std::vector<std::uint8_t>& active,
                                       std::vector<TilePoint>* release) {
  const auto ntiles = static_cast<std::size_t>(plan.grid.count());
  auto wanted = [&](int t) { return active.empty() || active[static_cast<std::size_t>(t)] != 0; };
  // Copies per destination tile (core + halo) of the active tiles.
  std::vector<std::int64_t> tile_count(ntiles, 0);
  for (std::size_t t = 0; t < ntiles; ++t)
    tile_count[t] = wanted(static_cast<int>(t)) ? scan.copies[t] : 0;
  // The source's second walk puts each copy straight at its place: a
  // counting sort by tile, each tile's points in id order (sources are in
  // id order). The scan's sign bit marks the few points with halo copies,
  // so only those look for their halo tiles again.
  std::vector<int> halo_tiles;
  auto scatter = [&](std::vector<TilePoint*>& place) {
    std::size_t i = 0;
    source([&](const TilePoint* points, std::size_t n) {
      for (std::size_t j = 0; j < n; ++j, ++i) {
        const TilePoint& p = points[j];
        const bool has_halo = scan.own[i] < 0;
        const int own = has_halo ? ~scan.own[i] : scan.own[i];
        if (wanted(own)) {
          TilePoint& c = *place[static_cast<std::size_t>(own)]++;
          c = p;
          c.tile = own;
        }
        if (!has_halo)
          continue;
        plan.grid.halo_tiles(p.x, p.y, halo, halo_tiles);
        for (int t : halo_tiles) {
          if (!wanted(t))
            continue;
          TilePoint& h = *place[static_cast<std::size_t>(t)]++;
          h = p;
          h.tile = t;
        }
      }
    });
    if (release != nullptr)
      std::vector<TilePoint>().swap(*release);
  };
  std::vector<TilePoint> out, send;
  exchange_placed(
      comm, plan, tile_count, scatter,
      [&out](std::size_t n) {
        out.resize(n);
        return out.data();
      },
      [&send](std::size_t n) {
        send.resize(n);
        return send.data();
      });
  return out;
}

}  // namespace

std::vector<TilePoint> exchange_points(const Comm& comm, const TilePlan& plan,
                                       std::vector<TilePoint>&& local, double halo) {
  std::vector<TilePoint> mine = std::move(local);
  return exchange_round(comm, plan, mine, halo, {}, true);
}

std::vector<TilePoint> exchange_round(const Comm& comm, const TilePlan& plan,
                                      std::vector<TilePoint>& local, double halo,
                                      const std::vector<std::uint8_t>& active, bool last) {
  perf::Region region("exchange");
  const PointSource source = vector_points(local);
  const TileScan scan = scan_tiles(plan.grid, source, halo, local.size());
  return exchange_active(comm, plan, source, scan, halo, active, last ? &local : nullptr);
}

TileRecords scan_block(const TileGrid& grid, const EpochBlock& block, double halo) {
  require_mapped(block);
  // Record numbers within the block are 32-bit: 0 .. 2^32 - 1.
  if (block.count > std::uint64_t{std::numeric_limits<std::uint32_t>::max()} + 1) {
    throw UsageError("epoch " + block.label + " (" + block.path.string() +
                     "): " + std::to_string(block.count) +
                     " records in one rank's block, more than 2^32: run with more ranks");
  }
  const auto ntiles = static_cast<std::size_t>(grid.count());
  TileRecords ix;
  ix.records.resize(ntiles);
  ix.core.assign(ntiles, 0);
  const io::LasHeader& h = block.header;
  const RecordDecoder dec(h, block.reader->layout());
  const std::array<bool, 256> wanted = wanted_classes(block.classes);
  std::vector<int> halo_tiles;
  std::vector<std::int64_t> halo_copies(ntiles, 0);
  const std::uint8_t* records = block.records.data();
  // In chunks, two passes: the first finds each wanted record's tile (only
  // x and y decoded, scan_tiles' expressions, so the same tiles; ~tile for
  // the few with halo copies) with nothing carried from one record to the
  // next; the second appends the runs of records of one tile (files are
  // mostly in acquisition or grid order: long runs) and places the halo
  // copies. Records are visited in order, so each tile's list is ascending.
  constexpr std::uint64_t kChunk = 4096;
  std::vector<std::int32_t> code(kChunk);
  std::vector<std::uint32_t> rec_no(kChunk);
  // Points outside the header's bounds are counted on the way (check_extent's
  // test), so that a file whose header is right costs no extra walk.
  const HeaderBox box(h);
  for (std::uint64_t at = 0; at < block.count; at += kChunk) {
    const std::uint64_t end = std::min(block.count, at + kChunk);
    std::size_t m = 0;
    for (std::uint64_t r = at; r < end; ++r) {
      const std::uint8_t* rec = records + r * h.record_length;
      if (!wanted[dec.class_of(rec)])
        continue;
      const double x = dec.x(rec), y = dec.y(rec);
      if (x < box.lo[0] || x > box.hi[0] || y < box.lo[1] || y > box.hi[1])
        ++ix.outside;
      const int oc = grid.column(x), orow = grid.row(y);
      const int own = orow * grid.nx + oc;
      const bool inside = halo <= 0 || grid.deep_inside(x, y, oc, orow, halo);
      code[m] = inside ? own : ~own;
      rec_no[m] = static_cast<std::uint32_t>(r);
      ++m;
    }
    for (std::size_t k = 0; k < m;) {
      if (code[k] < 0) {
        const auto own = static_cast<std::size_t>(~code[k]);
        ix.records[own].push_back(rec_no[k]);
        const std::uint8_t* rec = records + std::uint64_t{rec_no[k]} * h.record_length;
        grid.halo_tiles(dec.x(rec), dec.y(rec), halo, halo_tiles);
        for (int t : halo_tiles) {
          ix.records[static_cast<std::size_t>(t)].push_back(rec_no[k]);
          ++halo_copies[static_cast<std::size_t>(t)];
        }
        ++k;
        continue;
      }
      std::size_t k2 = k + 1;
      while (k2 < m && code[k2] == code[k])
        ++k2;
      auto& list = ix.records[static_cast<std::size_t>(code[k])];
      list.insert(list.end(), rec_no.begin() + static_cast<std::ptrdiff_t>(k),
                  rec_no.begin() + static_cast<std::ptrdiff_t>(k2));
      k = k2;
    }
  }
  for (std::size_t t = 0; t < ntiles; ++t)
    ix.core[t] = static_cast<std::int64_t>(ix.records[t].size()) - halo_copies[t];
  return ix;
}

std::vector<std::int64_t> TileRecords::copies() const {
  std::vector<std::int64_t> c(records.size());
  for (std::size_t t = 0; t < records.size(); ++t)
    c[t] = static_cast<std::int64_t>(records[t].size());
  return c;
}

std::int64_t TileRecords::points() const {
  return std::accumulate(core.begin(), core.end(), std::int64_t{0});
}

std::span<const TilePoint> exchange_scanned(const Comm& comm, const TilePlan& plan,
                                            const EpochBlock& block, const TileRecords& index,
                                            const std::vector<std::uint8_t>& active,
                                            ExchangeBuffers& buffers) {
  perf::Region region("exchange");
  require_mapped(block);
  const auto ntiles = static_cast<std::size_t>(plan.grid.count());
  if (index.records.size() != ntiles)
    throw ParallelError("exchange_scanned: the tile index is not of this plan's grid");
  std::vector<std::int64_t> tile_count(ntiles, 0);
  for (std::size_t t = 0; t < ntiles; ++t) {
    if (active.empty() || active[t] != 0)
      tile_count[t] = static_cast<std::int64_t>(index.records[t].size());
  }
  // Each round decodes only its tiles' records, straight into their slots.
  auto placer = [&](std::vector<TilePoint*>& place) {
    const io::LasHeader& h = block.header;
    const RecordDecoder dec(h, block.reader->layout());
    const std::uint8_t* records = block.records.data();
    for (std::size_t t = 0; t < ntiles; ++t) {
      if (tile_count[t] == 0)
        continue;
      TilePoint* out = place[t];
      for (const std::uint64_t r : index.records[t]) {
        dec.decode(records + r * h.record_length, block.first + r, *out);
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

io::LasHeader output_header(const io::LasHeader& like,
                            const std::vector<io::LasExtraBytes>& extra) {
  io::LasHeader h;
  h.version_major = 1;
  h.version_minor = 4;
  h.point_format = h.format_byte = 6;
  int extra_size = 0;
  for (const auto& e : extra)
    extra_size += e.size();
  h.record_length = static_cast<std::uint16_t>(30 + extra_size);
  h.scale = like.scale;
  h.offset = like.offset;
  h.file_source_id = like.file_source_id;
  h.vlrs = like.crs_vlrs();
  for (const auto& v : h.vlrs) {
    if (v.record_id == 2112)
      h.global_encoding |= 0x10;  // CRS given as WKT
  }
  if (!extra.empty())
    h.vlrs.push_back(io::las_extra_bytes_vlr(extra));
  return h;
}

namespace {

void write_parallel(
    const Comm& comm, const std::filesystem::path& out, io::LasHeader header,
    std::uint64_t first_record,
    const std::vector<std::pair<std::uint64_t, const std::vector<std::uint8_t>*>>& parts,
    const io::LasRecordStats& local_stats, bool clobber) {
  perf::Region region("write");
  detail::reduce_las_stats(comm, local_stats).apply_to(header);
  (void)first_record;
  // A LAZ input's laszip VLR (align keeps B's VLRs) describes that file's
  // compression, not this one's: a LAS output holding it would read as LAZ.
  std::erase_if(header.vlrs, [](const io::LasVlr& v) {
    return v.is(io::laz::kLaszipUserId, io::laz::kLaszipRecordId);
  });
  header.format_byte = header.point_format;
  // LAZ output: staged as LAS beside it, then compressed (tiled_las_writer.hpp).
  const bool laz = is_laz_output(out);
  if (laz) {
    io::laz::vlr_for(header);  // formats 4, 5, 9, 10: UsageError on every rank
    CollectiveAtomicFile check(comm, out, clobber);
  }
  CollectiveAtomicFile file(comm, laz ? laz_staging_path(out) : out, laz || clobber);
  bool ok = true;
  std::string why;
  try {
    io::LasRecordFile f(file.temp_path());
    if (comm.is_root())
      f.write_header(header);
    for (const auto& part : parts) {
      const std::uint64_t n = part.second->size() / header.record_length;
      f.write_records(header, part.first, n, part.second->data());
      perf::add_bytes_written(static_cast<std::int64_t>(part.second->size()));
    }
    f.close();
  } catch (const std::exception& e) {
    ok = false;
    log::error("{}", e.what());
  }
  if (laz)
    compress_staged_las(comm, file.temp_path(), out, ok);
  else
    file.commit(ok);
}

}  // namespace

void write_tiled_las(const Comm& comm, const std::filesystem::path& out, io::LasHeader header,
                     int tile_count, const std::map<int, std::vector<std::uint8_t>>& records,
                     bool clobber) {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(tile_count), 0);
  for (const auto& [tile, rec] : records)
    counts[static_cast<std::size_t>(tile)] =
        static_cast<std::int64_t>(rec.size() / header.record_length);
  TiledLasWriter writer(comm, out, std::move(header), std::move(counts), clobber);
  for (const auto& [tile, rec] : records)
    writer.write_tile(tile, rec);
  writer.finish();
}

void write_block_las(const Comm& comm, const std::filesystem::path& out, io::LasHeader header,
                     const std::vector<std::uint8_t>& records, bool clobber) {
  const auto n = static_cast<std::int64_t>(records.size() / header.record_length);
  std::int64_t before = 0;
  check_mpi(MPI_Exscan(&n, &before, 1, MPI_INT64_T, MPI_SUM, comm.handle()), "MPI_Exscan");
  if (comm.rank() == 0)
    before = 0;
  std::vector<std::pair<std::uint64_t, const std::vector<std::uint8_t>*>> parts;
  if (n > 0)
    parts.emplace_back(static_cast<std::uint64_t>(before), &records);
  const io::LasRecordStats stats = stats_of(header, records.data(), static_cast<std::size_t>(n));
  write_parallel(comm, out, std::move(header), 0, parts, stats, clobber);
}

}  // namespace tessera::tiles
