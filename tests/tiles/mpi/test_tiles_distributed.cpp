// The distributed steps at 1, 2 and 4 ranks: C2C and M3C2 outputs equal the
// serial algorithm on the whole clouds, value for value, for tiles much
// smaller than the area (many edges and halos) and for one big tile; DoD
// rasters equal the serial grids of the whole clouds.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <tuple>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/mpi.hpp"
#include "tessera/io/gdal_raster.hpp"
#include "tessera/io/las_reader.hpp"
#include "tessera/tiles/dod.hpp"
#include "tessera/tiles/epoch.hpp"
#include "tessera/tiles/steps.hpp"
#include "tessera/tiles/tile_exchange.hpp"
#include "tessera/tiles/tile_plan.hpp"
#include "tessera/tiles/tile_rounds.hpp"

using namespace tessera;
using namespace tessera::tiles;

namespace {

std::filesystem::path synth_dir(const Comm& comm) {
  static std::filesystem::path dir;
  if (dir.empty()) {
    dir = test::scratch_dir("tiles_mpi_np" + std::to_string(comm.size()));
    SynthOptions s;
    s.out = dir;
    s.scale = "tiny";
    s.clobber = true;
    run_synth(comm, s);
  }
  return dir;
}

std::vector<TilePoint> read_all(const std::filesystem::path& p) {
  io::LasReader r(p);
  const auto rec = r.read_records(0, r.point_count());
  std::vector<TilePoint> out;
  const io::LasPointDecoder dec(r.header(), r.layout());
  for (std::uint64_t i = 0; i < r.point_count(); ++i)
    decode_point(dec, rec.data() + i * r.header().record_length, i, out.emplace_back());
  return out;
}

/// Records of an output keyed by their raw X, Y, Z (unique in synthetic data).
using Key = std::tuple<std::int32_t, std::int32_t, std::int32_t>;
std::map<Key, std::vector<std::uint8_t>> records_by_xyz(const std::filesystem::path& p) {
  io::LasReader r(p);
  const auto rec = r.read_records(0, r.point_count());
  const auto L = r.layout();
  std::map<Key, std::vector<std::uint8_t>> out;
  for (std::uint64_t i = 0; i < r.point_count(); ++i) {
    const std::uint8_t* q = rec.data() + i * r.header().record_length;
    out[{L.raw_x(q), L.raw_y(q), L.raw_z(q)}] =
        std::vector<std::uint8_t>(q, q + r.header().record_length);
  }
  return out;
}

Key key_of(const TilePoint& p, const io::LasHeader& h) {
  auto raw = [&](double v, int d) {
    return static_cast<std::int32_t>(std::nearbyint((v - h.offset[d]) / h.scale[d]));
  };
  return {raw(p.x, 0), raw(p.y, 1), raw(p.z, 2)};
}

}  // namespace

TEST_CASE("Distributed C2C equals the serial nearest distances for any tiling", "[tiles][mpi]") {
  const Comm comm = Comm::world();
  const auto dir = synth_dir(comm);
  const std::vector<TilePoint> a = read_all(dir / "A.las"), b = read_all(dir / "B.las");
  C2cOptions o;
  o.max_dist = 1.0;  // the mound and pit exceed it: the cap is exercised
  const C2cResult want = c2c_distances(a, b, o);
  const io::LasHeader hb = io::LasReader(dir / "B.las").header();
  for (double tile : {13.0, 40.0, 500.0}) {
    C2cStepOptions s;
    s.pair.a = dir / "A.las";
    s.pair.b = dir / "B.las";
    s.pair.out = dir / ("c2c_" + std::to_string(static_cast<int>(tile)) + ".las");
    s.pair.tile_size = tile;
    s.pair.clobber = true;
    s.c2c = o;
    run_c2c(comm, s);
    if (!comm.is_root())
      continue;
    const auto got = records_by_xyz(s.pair.out);
    REQUIRE(got.size() == b.size());  // no point counted twice or missed
    std::size_t mismatches = 0, beyond = 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
      const auto it = got.find(key_of(b[i], hb));
      REQUIRE(it != got.end());
      double d;
      std::memcpy(&d, it->second.data() + 30, 8);
      mismatches += d != want.distance[i] || it->second[38] != want.beyond[i];
      beyond += want.beyond[i];
    }
    INFO("tile " << tile);
    CHECK(mismatches == 0);
    CHECK(beyond > 0);
  }
}

TEST_CASE("Distributed M3C2 equals the serial algorithm for any tiling", "[tiles][mpi]") {
  const Comm comm = Comm::world();
  const auto dir = synth_dir(comm);
  const std::vector<TilePoint> a = read_all(dir / "A.las"), b = read_all(dir / "B.las");
  M3c2Options o;
  o.normal_radii = {0.8, 1.5};
  o.cyl_radius = 0.7;
  o.max_depth = 3.0;
  const std::int64_t step = 97;
  std::vector<std::uint32_t> cores;
  for (std::uint32_t i = 0; i < a.size(); ++i) {
    if (a[i].id % step == 0)
      cores.push_back(i);
  }
  const auto want = m3c2_tile(a, b, cores, o);
  const io::LasHeader ha = io::LasReader(dir / "A.las").header();
  for (double tile : {11.0, 500.0}) {
    M3c2StepOptions s;
    s.pair.a = dir / "A.las";
    s.pair.b = dir / "B.las";
    s.pair.out = dir / ("m3c2_" + std::to_string(static_cast<int>(tile)) + ".las");
    s.pair.tile_size = tile;
    s.pair.clobber = true;
    s.m3c2 = o;
    s.core_step = step;
    run_m3c2(comm, s);
    if (!comm.is_root())
      continue;
    const auto got = records_by_xyz(s.pair.out);
    REQUIRE(got.size() == cores.size());
    std::size_t mismatches = 0;
    for (std::size_t c = 0; c < cores.size(); ++c) {
      const auto it = got.find(key_of(a[cores[c]], ha));
      REQUIRE(it != got.end());
      double d, lod;
      std::uint32_t na, nb;
      std::memcpy(&d, it->second.data() + 30, 8);
      std::memcpy(&lod, it->second.data() + 38, 8);
      std::memcpy(&na, it->second.data() + 47, 4);
      std::memcpy(&nb, it->second.data() + 51, 4);
      const bool same_d = (std::isnan(d) && std::isnan(want[c].distance)) || d == want[c].distance;
      mismatches += !same_d || na != want[c].n_a || nb != want[c].n_b ||
                    !(lod == want[c].lod || (std::isnan(lod) && std::isnan(want[c].lod)));
    }
    INFO("tile " << tile);
    CHECK(mismatches == 0);
  }
}

namespace {

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

namespace {

/// Brute force: the tiles a point is copied to, its core tile first, then
/// every other tile whose core widened by `halo` (closed; edge tiles open
/// outwards) holds it, found by testing every tile of the grid.
std::vector<int> tiles_of(const TileGrid& g, const TilePoint& p, double halo) {
  const int own = g.tile_of(p.x, p.y);
  std::vector<int> out{own};
  if (halo <= 0)
    return out;
  for (int r = 0; r < g.ny; ++r) {
    for (int c = 0; c < g.nx; ++c) {
      const int t = r * g.nx + c;
      const double lx = g.x0 + c * g.size - halo, hx = g.x0 + (c + 1) * g.size + halo;
      const double ly = g.y0 + r * g.size - halo, hy = g.y0 + (r + 1) * g.size + halo;
      const bool in = (p.x >= lx || c == 0) && (p.x <= hx || c == g.nx - 1) &&
                      (p.y >= ly || r == 0) && (p.y <= hy || r == g.ny - 1);
      if (t != own && in)
        out.push_back(t);
    }
  }
  return out;
}

/// What this rank must hold in a round: every copy of the whole file's
/// points of `cls` bound for the active tiles it owns, by (tile, id).
std::vector<TilePoint> expected_round(const std::vector<TilePoint>& all, const TilePlan& plan,
                                      double halo, const std::vector<std::uint8_t>& active,
                                      int rank) {
  std::vector<TilePoint> out;
  for (const TilePoint& p : all) {
    if (p.classification != 2)
      continue;
    for (int t : tiles_of(plan.grid, p, halo)) {
      if (active[static_cast<std::size_t>(t)] && plan.owner[static_cast<std::size_t>(t)] == rank) {
        out.push_back(p);
        out.back().tile = t;
      }
    }
  }
  std::sort(out.begin(), out.end(), tile_then_id);
  return out;
}

}  // namespace

TEST_CASE("Rounds move exactly the planned copies of the mapped blocks, within the budget",
          "[tiles][mpi][rounds]") {
  // The mapped path (open_epoch + map_block, one scan listing the records
  // under their tiles, each round decoding its tiles' records straight into
  // their slots) against the whole files decoded on every rank and each
  // point's tiles found by testing every tile: byte for byte, with rounds,
  // halo copies on A and none on B (c2c), halo copies on both (m3c2).
  const Comm comm = Comm::world();
  const auto dir = synth_dir(comm);
  const std::vector<TilePoint> all_a = read_all(dir / "A.las"), all_b = read_all(dir / "B.las");
  for (const double halo_b : {0.0, 1.5}) {
    EpochBlock a = open_epoch(comm, dir / "A.las", {2}, "A");
    EpochBlock b = open_epoch(comm, dir / "B.las", {2}, "B");
    map_block(comm, a);
    map_block(comm, b);
    const double halo = 1.5;
    const TileGrid grid = union_grid(a, b, 13.0);
    const TileRecords index_a = scan_block(grid, a, halo);
    const TileRecords index_b = scan_block(grid, b, halo_b);
    require_selected(comm, a, index_a.points());
    require_selected(comm, b, index_b.points());
    const TilePlan plan = plan_tiles(comm, grid, {&index_a.core, &index_b.core});
    const std::vector<std::int64_t> copies_a = index_a.copies(), copies_b = index_b.copies();
    const TileRounds rounds = plan_rounds(comm, plan, {&copies_a, &copies_b}, 0.1);
    REQUIRE(rounds.budget_points == budget_points(0.1));
    CHECK(rounds.rounds >= 2);
    CHECK(rounds.oversized.empty());
    std::size_t differ = 0, over_budget = 0, unplanned = 0;
    std::int64_t moved = 0;
    ExchangeBuffers buffers_a, buffers_b;  // reused over the rounds, as the steps do
    for (int r = 0; r < rounds.rounds; ++r) {
      const auto active = rounds.active(r);
      const auto pa = exchange_tiles(comm, plan, a, index_a, active, buffers_a);
      const auto pb = exchange_tiles(comm, plan, b, index_b, active, buffers_b);
      const auto want_a = expected_round(all_a, plan, halo, active, comm.rank());
      const auto want_b = expected_round(all_b, plan, halo_b, active, comm.rank());
      differ += pa.size() != want_a.size() ||
                std::memcmp(pa.data(), want_a.data(), pa.size() * sizeof(TilePoint)) != 0;
      differ += pb.size() != want_b.size() ||
                std::memcmp(pb.data(), want_b.data(), pb.size() * sizeof(TilePoint)) != 0;
      // What this rank holds in the round is what the plan counted for its tiles.
      std::int64_t planned = 0;
      for (std::size_t t = 0; t < active.size(); ++t) {
        if (active[t] && plan.owner[t] == comm.rank())
          planned += rounds.held[t];
      }
      const auto held = static_cast<std::int64_t>(pa.size() + pb.size());
      unplanned += held != planned;
      over_budget += held > rounds.budget_points;
      moved += held;
    }
    INFO("halo of B " << halo_b);
    CHECK(differ == 0);
    CHECK(unplanned == 0);
    CHECK(over_budget == 0);
    CHECK(comm.allreduce_sum(moved) > a.total_selected + b.total_selected);  // halo copies
  }
}

TEST_CASE("C2C and M3C2 outputs do not depend on the number of rounds", "[tiles][mpi][rounds]") {
  const Comm comm = Comm::world();
  const auto dir = synth_dir(comm);
  for (const double mb : {0.0, 0.25}) {
    C2cStepOptions c;
    c.pair.a = dir / "A.las";
    c.pair.b = dir / "B.las";
    c.pair.out = dir / (mb > 0 ? "c2c_rounds.las" : "c2c_one.las");
    c.pair.tile_size = 17;
    c.pair.clobber = true;
    c.pair.memory_mb = mb;
    c.c2c.max_dist = 1.0;
    const nlohmann::json sc = run_c2c(comm, c);
    M3c2StepOptions m;
    m.pair = c.pair;
    m.pair.out = dir / (mb > 0 ? "m3c2_rounds.las" : "m3c2_one.las");
    m.m3c2.normal_radii = {1.0};
    m.m3c2.cyl_radius = 1.0;
    m.m3c2.max_depth = 3.0;
    m.core_step = 11;
    const nlohmann::json sm = run_m3c2(comm, m);
    if (comm.is_root()) {
      CHECK((mb > 0 ? sc["rounds"].get<int>() >= 3 : sc["rounds"].get<int>() == 1));
      CHECK((mb > 0 ? sm["rounds"].get<int>() >= 3 : sm["rounds"].get<int>() == 1));
    }
  }
  if (comm.is_root()) {
    CHECK(file_bytes(dir / "c2c_rounds.las") == file_bytes(dir / "c2c_one.las"));
    CHECK(file_bytes(dir / "m3c2_rounds.las") == file_bytes(dir / "m3c2_one.las"));
    CHECK(!file_bytes(dir / "m3c2_one.las").empty());
  }
}

TEST_CASE("Distributed DoD equals the serial grids of the whole clouds, for every aggregate",
          "[tiles][mpi][dod]") {
  // run_dod walks each rank's mapped block (decoded on the fly), sends
  // other bands' samples to their owners and gathers the bands; the
  // reference grids every decoded point of both files on one rank.
  const Comm comm = Comm::world();
  const auto dir = synth_dir(comm);
  const io::LasHeader ha = io::LasReader(dir / "A.las").header();
  const io::LasHeader hb = io::LasReader(dir / "B.las").header();
  auto ground = [](std::vector<TilePoint> v) {
    std::erase_if(v, [](const TilePoint& p) { return p.classification != 2; });
    return v;
  };
  const std::vector<TilePoint> a = ground(read_all(dir / "A.las"));
  const std::vector<TilePoint> b = ground(read_all(dir / "B.las"));
  for (double cell : {0.35, 2.0}) {  // 0.35 m: 286 rows, two GeoTIFF tile rows
    const CellGrid grid =
        CellGrid::covering(std::min(ha.min[0], hb.min[0]), std::min(ha.min[1], hb.min[1]),
                           std::max(ha.max[0], hb.max[0]), std::max(ha.max[1], hb.max[1]), cell);
    for (CellAggregate how :
         {CellAggregate::kMean, CellAggregate::kMin, CellAggregate::kMax, CellAggregate::kMedian}) {
      auto surface = [&](const std::vector<TilePoint>& pts, const io::LasHeader& h) {
        const double scale = h.scale[2], offset = h.offset[2];
        CellAccumulator acc(grid.size());
        std::vector<CellSample> samples;
        for (const TilePoint& p : pts) {
          const std::int64_t c = grid.index_of(p.x, p.y);
          if (c < 0)
            continue;
          const auto z = static_cast<std::int32_t>(std::nearbyint((p.z - offset) / scale));
          acc.add(c, z);
          samples.push_back({static_cast<std::uint32_t>(c), z});
        }
        return how == CellAggregate::kMedian ? cell_medians(samples, 0, grid.size(), scale, offset)
                                             : acc.surface(how, scale, offset);
      };
      const std::vector<double> want = difference(surface(a, ha), surface(b, hb));
      DodStepOptions s;
      s.pair.a = dir / "A.las";
      s.pair.b = dir / "B.las";
      s.pair.out = dir / ("dod_" + std::to_string(static_cast<int>(how)) + ".tif");
      s.pair.clobber = true;
      s.cell = cell;
      s.aggregate = how;
      const nlohmann::json summary = run_dod(comm, s);
      if (!comm.is_root())
        continue;
      const std::vector<float> got = io::GdalRaster::open(s.pair.out).read_band(1);
      REQUIRE(got.size() == want.size());
      std::size_t mismatches = 0, empty = 0;
      for (std::size_t i = 0; i < want.size(); ++i) {
        const auto w = static_cast<float>(want[i]);
        mismatches += std::isnan(w) ? !std::isnan(got[i]) : got[i] != w;
        empty += std::isnan(w);
      }
      // The volumes are the merge of each 256-row tile row's volumes in row
      // order, whatever the rank count (one raster here is taller than 256
      // rows: several parts).
      VolumeSummary v;
      for (const VolumeSummary& part : summarise_dod_parts(want, grid.nx, 256, cell, s.threshold))
        v.merge(part);
      const VolumeSummary plain = summarise_dod(want, cell, s.threshold);
      CHECK(summary["net_volume"].get<double>() == Approx(plain.net).epsilon(1e-12));
      INFO("cell " << cell << ", aggregate " << static_cast<int>(how));
      CHECK(mismatches == 0);
      CHECK(empty < want.size());
      CHECK(summary["net_volume"].get<double>() == v.net);
      CHECK(summary["cells_empty"].get<std::int64_t>() == v.cells_empty);
    }
  }
}
