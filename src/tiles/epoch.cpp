// An epoch's block: open, map, walk; see include/tessera/tiles/epoch.hpp.
#include "tessera/tiles/epoch.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "tessera/core/cli.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/las_point_record.hpp"

namespace tessera::tiles {

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

void require_mapped(const EpochBlock& block) {
  if (!block.reader || block.records.size() != block.count * block.header.record_length) {
    throw ParallelError("epoch " + block.label + " (" + block.path.string() +
                        ") was not opened by open_epoch and mapped by map_block");
  }
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

}  // namespace

void check_extent(const Comm& comm, EpochBlock& block) {
  perf::Region region("extent");
  require_mapped(block);
  const io::LasHeader& h = block.header;
  const HeaderBox box(h);
  Extent e;
  run_phase(comm, "extent " + block.label, [&] {
    {
      // The mapped records: x and y decoded as every walk decodes them, on
      // the rank's threads (min, max and counts are order-free, so the
      // result does not depend on them). This first walk also faults the
      // mapping in, which the step's next walk would otherwise do.
      const io::LasPointDecoder dec(h, io::LasPointLayout(h.point_format, h.record_length));
      const std::array<bool, 256> wanted = io::wanted_classes(block.classes);
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
        if (box.outside(x, y))
          ++out;
      }
      e.min[0] = x0;
      e.min[1] = y0;
      e.max[0] = x1;
      e.max[1] = y1;
      e.outside = out;
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

PointSource block_points(const EpochBlock& block, std::uint64_t stride) {
  if (stride == 0)
    throw UsageError("block_points: the stride must be at least 1");
  return [&block, stride](const PointChunk& visit) {
    require_mapped(block);
    // 8192 records: the decoded points (~0.4 MB) stay in L2 between the
    // decode and the pass that uses them.
    constexpr std::uint64_t kChunk = 8192;
    const std::size_t len = block.header.record_length;
    const io::LasPointDecoder dec = block.decoder();
    const std::array<bool, 256> wanted = io::wanted_classes(block.classes);
    std::vector<TilePoint> points;
    points.reserve(kChunk);
    // Records at, at + stride, ...: chunks of kChunk of them, kChunk·stride apart.
    const std::uint64_t span = kChunk * stride;
    for (std::uint64_t at = 0; at < block.count; at += span) {
      const std::uint64_t m = (std::min(span, block.count - at) + stride - 1) / stride;
      points.clear();
      const std::uint8_t* records = block.records.data() + at * len;
      for (std::uint64_t i = 0; i < m; ++i) {
        // Indexed, not advanced: with a stride, advancing past the last
        // record would point beyond the end of the block.
        const std::uint8_t* rec = records + i * len * stride;
        if (!wanted[dec.class_of(rec)])
          continue;
        decode_point(dec, rec, block.first + at + i * stride, points.emplace_back());
      }
      visit(points.data(), points.size());
    }
  };
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

}  // namespace tessera::tiles
