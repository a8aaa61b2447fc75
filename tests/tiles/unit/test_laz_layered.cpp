// LAZ compressor 3 (layered chunked, point formats 6-8; io/laz/): laspy's
// 1_4_w_evlr.laz (written by LASzip) decodes to the records of its LAS twin;
// Tessera's layered writer round-trips formats 6, 7 and 8 with and without
// extra bytes bit for bit (scanner channels, return counts, GPS runs,
// fields that never change, chunks of one point); bad layered chunks are
// refused naming the file and the chunk. Formats 9 and 10:
// test_laz_wavepacket.cpp.
#include <fstream>
#include <random>

#include "laz_test_files.hpp"
#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/las_reader.hpp"
#include "tessera/io/laz/layered_chunk.hpp"
#include "tessera/io/laz/laz_points.hpp"
#include "tessera/io/laz/laz_writer.hpp"

using namespace tessera;
using Catch::Matchers::Contains;

namespace {

using laz_test::open_error;
using laz_test::peek;
using laz_test::poke;
using laz_test::slurp;
using laz_test::spit;

/// `n` records of point format `format` (6-8) with `extra` extra bytes:
/// flight-line-like x/y/z, returns 1..n of pulses, GPS times shared by a
/// pulse's returns with jumps, two or four scanner channels interleaved,
/// colours (grey and not), fields that change rarely.
std::vector<std::uint8_t> records(int format, int extra, std::size_t n, unsigned seed,
                                  int channels) {
  const std::size_t len = (format == 6 ? 30 : format == 7 ? 36 : 38) + extra;
  std::vector<std::uint8_t> rec(n * len, 0);
  std::mt19937 rng(seed);
  auto u = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::int32_t x = 100000, y = -5000, z = 300;
  double t = 4.5e5;
  int ret = 1, nret = 1, channel = 0;
  std::uint16_t rgb[4] = {1000, 2000, 3000, 4000};
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t* p = rec.data() + i * len;
    if (ret >= nret) {  // a new pulse
      nret = u(1, 4) == 1 ? u(2, 5) : 1;
      ret = 1;
      t += u(0, 20) == 0 ? 1000.25 : 1e-5 * u(1, 3);
      if (channels > 1 && u(0, 7) == 0)
        channel = u(0, channels - 1);
    } else {
      ++ret;
    }
    if (u(0, 300) == 0)
      ret = u(0, 15);  // implausible return numbers, as some files hold
    x += u(-40, 90);
    y += u(-30, 30);
    z += u(-20, 20);
    std::memcpy(p, &x, 4);
    std::memcpy(p + 4, &y, 4);
    std::memcpy(p + 8, &z, 4);
    const auto intensity = static_cast<std::uint16_t>(u(0, 3) == 0 ? u(0, 65535) : 200 + u(0, 9));
    std::memcpy(p + 12, &intensity, 2);
    p[14] = static_cast<std::uint8_t>((ret & 15) | (nret << 4));
    p[15] = static_cast<std::uint8_t>((u(0, 50) == 0 ? u(0, 15) : 0) | (channel << 4) |
                                      (u(0, 1) << 6) | (u(0, 100) == 0 ? 0x80 : 0));
    p[16] = static_cast<std::uint8_t>(u(0, 5) == 0 ? 6 : 2);
    p[17] = static_cast<std::uint8_t>(i / 700);
    const auto angle = static_cast<std::int16_t>(u(0, 9) == 0 ? u(-30000, 30000) : -1200);
    std::memcpy(p + 18, &angle, 2);
    const auto source = static_cast<std::uint16_t>(7 + i / 900);
    std::memcpy(p + 20, &source, 2);
    std::memcpy(p + 22, &t, 8);
    std::size_t at = 30;
    if (format >= 7) {
      if (u(0, 4) == 0) {
        for (auto& c : rgb)
          c = static_cast<std::uint16_t>(u(0, 65535));
        if (u(0, 1) == 0)
          rgb[1] = rgb[2] = rgb[0];  // grey
      }
      std::memcpy(p + at, rgb, format == 8 ? 8 : 6);
      at += format == 8 ? 8 : 6;
    }
    for (int e = 0; e < extra; ++e)
      p[at + static_cast<std::size_t>(e)] = static_cast<std::uint8_t>(e == 0   ? 42
                                                                      : e == 1 ? i & 0xFF
                                                                               : u(0, 255));
  }
  return rec;
}

io::LasHeader header_for(int format, int extra) {
  io::LasHeader h;
  h.point_format = static_cast<std::uint8_t>(format);
  h.format_byte = h.point_format;
  h.record_length = static_cast<std::uint16_t>((format == 6 ? 30 : format == 7 ? 36 : 38) + extra);
  return h;
}

}  // namespace

TEST_CASE("laspy's layered 1_4_w_evlr.laz decodes to the records of its LAS twin",
          "[tiles][laz][layered]") {
  io::LasReader laz(test::test_data("laspy/1_4_w_evlr.laz"));
  io::LasReader las(test::test_data("laspy/1_4_w_evlr.las"));
  REQUIRE(laz.compressed());
  REQUIRE(laz.laz()->vlr().compressor == 3);
  REQUIRE(laz.header().point_format == 6);
  REQUIRE(laz.point_count() == las.point_count());
  const auto b = las.read_records(0, las.point_count());
  CHECK(laz.read_records(0, laz.point_count()) == b);
  // A range inside the chunk, and the mapped path the steps take.
  const std::size_t len = las.header().record_length;
  const auto mid = laz.read_records(333, 217);
  CHECK(std::equal(mid.begin(), mid.end(), b.begin() + static_cast<std::ptrdiff_t>(333 * len)));
  const MappedRange m = laz.map_records(5, 990);
  REQUIRE(m.size() == 990 * len);
  CHECK(
      std::equal(m.data(), m.data() + m.size(), b.begin() + static_cast<std::ptrdiff_t>(5 * len)));

  // Tessera's encoder on the same records: decoded back bit for bit.
  const auto dir = test::scratch_dir("laz_layered_real");
  io::laz::write_laz_file(dir / "again.laz", las.header(), b, 300);
  io::LasReader again(dir / "again.laz");
  CHECK(again.laz()->chunks().size() == 4);
  CHECK(again.read_records(0, again.point_count()) == b);
}

TEST_CASE("Layered LAZ round-trips formats 6-8 with extra bytes bit for bit",
          "[tiles][laz][layered]") {
  const auto dir = test::scratch_dir("laz_layered_round_trip");
  for (int format : {6, 7, 8}) {
    for (int extra : {0, 5}) {
      for (int channels : {1, 4}) {
        INFO("format " << format << ", extra " << extra << ", channels " << channels);
        const std::size_t n = 5001;  // chunks of 1000: the last holds one point
        const auto rec =
            records(format, extra, n, static_cast<unsigned>(format * 10 + extra), channels);
        std::string name = "f";  // appended piecewise (GCC 12's -Wrestrict misfires on a + chain)
        name += std::to_string(format);
        name += "_e";
        name += std::to_string(extra);
        name += "_c";
        name += std::to_string(channels);
        name += ".laz";
        const auto path = dir / name;
        io::laz::write_laz_file(path, header_for(format, extra), rec, 1000);
        io::LasReader r(path);
        REQUIRE(r.laz()->vlr().compressor == 3);
        REQUIRE(r.laz()->chunks().size() == 6);
        CHECK(r.laz()->chunks().back().points == 1);
        const auto back = r.read_records(0, n);
        REQUIRE(back.size() == rec.size());
        CHECK(back == rec);
        const std::size_t len = r.header().record_length;
        const auto part = r.read_records(1999, 1002);  // across three chunks
        CHECK(std::equal(part.begin(), part.end(),
                         rec.begin() + static_cast<std::ptrdiff_t>(1999 * len)));
        CHECK(r.laz()->compressed_bytes() < rec.size() / 2);
      }
    }
  }
}

TEST_CASE("Layered chunks leave out the layers of fields that never change",
          "[tiles][laz][layered]") {
  // Every field but x and y constant: only the XY layer holds bytes.
  auto rec = records(8, 2, 300, 1, 1);
  const std::size_t len = 40;
  for (std::size_t i = 1; i < 300; ++i) {
    std::uint8_t* p = rec.data() + i * len;
    std::memcpy(p + 8, rec.data() + 8, 30 - 8);
    std::memcpy(p + 30, rec.data() + 30, 10);
    p[14] = rec[14];
  }
  const io::laz::LaszipVlr v = io::laz::layered_vlr(8, 2, 1000);
  std::vector<std::uint8_t> chunk;
  io::laz::LayeredChunkEncoder(v.items).encode(rec.data(), 300, chunk);
  // raw record, count, 9 + 2 + 2 layer sizes
  REQUIRE(chunk.size() > len + 4 + 13 * 4);
  CHECK(peek<std::uint32_t>(chunk, len) == 300);
  CHECK(peek<std::uint32_t>(chunk, len + 4) > 0);  // XY
  for (int i = 1; i < 13; ++i)
    CHECK(peek<std::uint32_t>(chunk, len + 4 + 4 * static_cast<std::size_t>(i)) == 0);
  std::vector<std::uint8_t> back(rec.size());
  io::laz::LayeredChunkDecoder(v.items).decode(chunk.data(), chunk.size(), 300, back.data(),
                                               "x.laz", 0);
  CHECK(back == rec);
}

TEST_CASE("Bad layered LAZ is refused naming the file, the chunk and the layer",
          "[tiles][laz][layered][bad]") {
  const auto dir = test::scratch_dir("laz_layered_bad");
  const auto good = slurp(test::test_data("laspy/1_4_w_evlr.laz"));
  const auto points_at = peek<std::uint32_t>(good, 96);
  const std::size_t chunk = points_at + 8;
  const std::size_t count_at = chunk + 30;
  const std::size_t sizes_at = count_at + 4;
  auto b = good;
  // The chunk's own point count disagrees with the table's.
  poke<std::uint32_t>(b, count_at, 999);
  spit(dir / "count.laz", b);
  CHECK_THAT(open_error(dir / "count.laz"),
             Contains("count.laz") && Contains("chunk 0") && Contains("point count disagrees"));
  // Layer sizes that do not add up to the chunk's bytes.
  b = good;
  poke<std::uint32_t>(b, sizes_at + 4, peek<std::uint32_t>(b, sizes_at + 4) + 10);
  spit(dir / "sizes.laz", b);
  CHECK_THAT(open_error(dir / "sizes.laz"),
             Contains("sizes.laz") && Contains("chunk 0") && Contains("wrong layer sizes"));
  // A layer truncated: bytes moved from the Z layer to the intensity layer.
  b = good;
  poke<std::uint32_t>(b, sizes_at + 4, peek<std::uint32_t>(b, sizes_at + 4) - 100);
  poke<std::uint32_t>(b, sizes_at + 16, peek<std::uint32_t>(b, sizes_at + 16) + 100);
  spit(dir / "moved.laz", b);
  CHECK_THAT(open_error(dir / "moved.laz"),
             Contains("moved.laz") && Contains("chunk 0") && Contains("layer Z"));
  // Damaged bytes inside the XY layer: refused, or other values, never a hang.
  b = good;
  for (std::size_t i = 0; i < 32; ++i)
    b[sizes_at + 36 + 700 + i] ^= 0xA5;
  spit(dir / "damaged.laz", b);
  const std::string damaged = open_error(dir / "damaged.laz");
  if (damaged != "no error")
    CHECK_THAT(damaged, Contains("damaged.laz") && Contains("chunk 0"));
  // Item versions and types Tessera does not decode, by name.
  std::size_t vlr = peek<std::uint16_t>(good, 94);
  while (peek<std::uint16_t>(good, vlr + 18) != 22204)
    vlr += 54 + peek<std::uint16_t>(good, vlr + 20);
  vlr += 54;
  b = good;
  poke<std::uint16_t>(b, vlr + 34 + 4, 4);
  spit(dir / "v4.laz", b);
  CHECK_THAT(open_error(dir / "v4.laz"), Contains("item POINT14 version 4 is not supported"));
  b = good;
  poke<std::uint16_t>(b, vlr + 34, 6);
  spit(dir / "point10.laz", b);
  CHECK_THAT(open_error(dir / "point10.laz"), Contains("POINT10") && Contains("needs POINT14"));
  // Formats 9 and 10 add WAVEPACKET14 (test_laz_wavepacket.cpp).
  CHECK(io::laz::vlr_for(header_for(7, 3)).compressor == 3);
  io::LasHeader h9 = header_for(6, 0);
  h9.point_format = 9;
  h9.record_length = 59;
  CHECK(io::laz::vlr_for(h9).items.at(1).type == 13);
}

TEST_CASE("Layered LAZ of variable-size chunks (as COPC writes) decodes, ranges across chunks",
          "[tiles][laz][layered]") {
  // 1_4_w_evlr.las's records in layered chunks of 100, 350 and 550 points,
  // the table listing each chunk's points (chunk size 0xFFFFFFFF).
  io::LasReader las(test::test_data("laspy/1_4_w_evlr.las"));
  const auto rec = las.read_records(0, las.point_count());
  const std::uint64_t len = las.header().record_length;
  io::laz::LaszipVlr v = io::laz::vlr_for(las.header());
  REQUIRE(v.compressor == 3);
  v.chunk_size = io::laz::kVariableChunks;
  io::LasHeader h = las.header();
  h.evlr_count = 0;
  h.evlr_start = 0;
  h = io::laz::laz_header(h, v);
  std::vector<std::uint8_t> file = io::las_encode_header(h);
  file[104] = h.format_byte;
  const std::size_t at_table = file.size();
  file.resize(file.size() + 8);
  std::vector<io::laz::Chunk> table;
  std::uint64_t first = 0;
  for (std::uint64_t n : {100u, 350u, 550u}) {
    std::vector<std::uint8_t> bytes;
    io::laz::LayeredChunkEncoder(v.items).encode(rec.data() + first * len, n, bytes);
    table.push_back({first, n, file.size(), bytes.size()});
    file.insert(file.end(), bytes.begin(), bytes.end());
    first += n;
  }
  REQUIRE(first == las.point_count());
  poke<std::int64_t>(file, at_table, static_cast<std::int64_t>(file.size()));
  const auto t = io::laz::encode_chunk_table(table, true);
  file.insert(file.end(), t.begin(), t.end());
  const auto dir = test::scratch_dir("laz_layered_variable");
  spit(dir / "variable.laz", file);

  io::LasReader laz(dir / "variable.laz");
  REQUIRE(laz.laz()->chunks().size() == 3);
  CHECK(laz.laz()->chunks()[2].points == 550);
  CHECK(laz.read_records(0, laz.point_count()) == rec);
  const auto mid = laz.read_records(90, 400);  // chunks 0, 1 and 2
  CHECK(std::equal(mid.begin(), mid.end(), rec.begin() + 90 * static_cast<std::ptrdiff_t>(len)));
}
