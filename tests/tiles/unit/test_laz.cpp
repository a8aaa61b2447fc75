// LAZ decoding (io/laz/): laspy's LAZ files decode to exactly the records of
// their LAS twins (written by LASzip's own tools), and bad LAZ input is
// refused naming the file and the chunk or the part of the format.
#include <fstream>

#include "laz_test_files.hpp"
#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/las_reader.hpp"
#include "tessera/io/laz/chunk_table.hpp"
#include "tessera/io/laz/laz_points.hpp"
#include "tessera/io/laz/laz_writer.hpp"
#include "tessera/io/laz/pointwise_chunk.hpp"

using namespace tessera;
using Catch::Matchers::Contains;

namespace {

using laz_test::open_error;
using laz_test::peek;
using laz_test::poke;
using laz_test::slurp;
using laz_test::spit;

/// Byte offset of the laszip VLR's payload in a LAZ file.
std::size_t laszip_payload(const std::vector<std::uint8_t>& b) {
  std::size_t at = peek<std::uint16_t>(b, 94);
  const auto n = peek<std::uint32_t>(b, 100);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (peek<std::uint16_t>(b, at + 18) == 22204)
      return at + 54;
    at += 54 + peek<std::uint16_t>(b, at + 20);
  }
  FAIL("no laszip VLR");
  return 0;
}

}  // namespace

TEST_CASE("laspy's LAZ files decode to the records of their LAS twins", "[tiles][laz]") {
  const std::pair<const char*, const char*> pairs[] = {{"laspy/simple.laz", "laspy/simple.las"},
                                                       {"laspy/extra.laz", "laspy/extrabytes.las"}};
  for (const auto& [laz_name, las_name] : pairs) {
    INFO(laz_name);
    io::LasReader laz(test::test_data(laz_name));
    io::LasReader las(test::test_data(las_name));
    REQUIRE(laz.compressed());
    REQUIRE_FALSE(las.compressed());
    REQUIRE(laz.point_count() == las.point_count());
    REQUIRE(laz.header().point_format == las.header().point_format);
    REQUIRE(laz.header().record_length == las.header().record_length);
    CHECK(laz.header().extra_bytes_per_record() == las.header().extra_bytes_per_record());
    const auto a = laz.read_records(0, laz.point_count());
    const auto b = las.read_records(0, las.point_count());
    REQUIRE(a.size() == b.size());
    CHECK(a == b);
    // A range inside the chunk decodes the chunk from its start.
    CHECK(laz.read_records(517, 31) == las.read_records(517, 31));
    const MappedRange m = laz.map_records(3, 1000);
    REQUIRE(m.size() == 1000u * las.header().record_length);
    CHECK(std::equal(m.data(), m.data() + m.size(), b.begin() + 3 * las.header().record_length));
  }
  CHECK(io::las_is_compressed(test::test_data("laspy/simple.laz")));
}

TEST_CASE("A LAZ file without a LAS twin decodes to plausible records", "[tiles][laz]") {
  // plane.laz: 28185 points of a plane, one chunk; every point inside the
  // header's bounds and on returns 1..n is what a wrong decode breaks first.
  io::LasReader r(test::test_data("laspy/plane.laz"));
  const auto rec = r.read_records(0, r.point_count());
  const io::LasHeader& h = r.header();
  const io::LasPointLayout L = r.layout();
  std::size_t outside = 0;
  for (std::uint64_t i = 0; i < r.point_count(); ++i) {
    const std::uint8_t* p = rec.data() + i * h.record_length;
    const double xyz[3] = {L.raw_x(p) * h.scale[0] + h.offset[0],
                           L.raw_y(p) * h.scale[1] + h.offset[1],
                           L.raw_z(p) * h.scale[2] + h.offset[2]};
    for (int k = 0; k < 3; ++k) {
      if (xyz[k] < h.min[k] - h.scale[k] || xyz[k] > h.max[k] + h.scale[k])
        ++outside;
    }
  }
  CHECK(outside == 0);
}

TEST_CASE("laz-rs's compressor-1 file (LASzip 1.x, POINT10 v1) decodes to its LAS twin",
          "[tiles][laz]") {
  // Point-wise, not chunked: no chunk table, one coder stream for all
  // 11781 points; item POINT10 version 1.
  io::LasReader laz(test::test_data("laz-rs/point-version-1-point-wise.laz"));
  io::LasReader las(test::test_data("laz-rs/point-version-1-point-wise.las"));
  REQUIRE(laz.compressed());
  REQUIRE(laz.laz()->vlr().compressor == 1);
  REQUIRE(laz.laz()->vlr().items.at(0).version == 1);
  REQUIRE(laz.point_count() == las.point_count());
  REQUIRE(laz.laz()->chunks().size() == 1);
  const auto b = las.read_records(0, las.point_count());
  CHECK(laz.read_records(0, laz.point_count()) == b);
  const std::size_t len = las.header().record_length;
  const auto mid = laz.read_records(5000, 17);
  CHECK(std::equal(mid.begin(), mid.end(), b.begin() + static_cast<std::ptrdiff_t>(5000 * len)));
  // The same file cut short: refused naming the file and its one chunk.
  const auto dir = test::scratch_dir("laz_compressor1");
  auto cut = slurp(test::test_data("laz-rs/point-version-1-point-wise.laz"));
  cut.resize(cut.size() - 5000);
  spit(dir / "cut1.laz", cut);
  CHECK_THAT(open_error(dir / "cut1.laz"), Contains("cut1.laz") && Contains("chunk 0"));
  // A point count no stream of its size holds: refused at open, before
  // anything is allocated for it.
  auto many = slurp(test::test_data("laz-rs/point-version-1-point-wise.laz"));
  poke<std::uint32_t>(many, 107, 0x80000000u);
  spit(dir / "many1.laz", many);
  CHECK_THAT(open_error(dir / "many1.laz"),
             Contains("many1.laz") && Contains("2147483648 points cannot be in"));
}

TEST_CASE("LAZ that Tessera cannot decode is refused by name", "[tiles][laz][bad]") {
  // Compressor 3 is decoded (test_laz_layered.cpp), compressor 1 too (above).
  const auto dir = test::scratch_dir("laz_refused");
  const auto good = slurp(test::test_data("laspy/simple.laz"));
  const std::size_t vlr = laszip_payload(good);
  auto b = good;
  // A chunked file relabelled compressor 1: its chunk table offset read as
  // the first record, the stream then fails.
  poke<std::uint16_t>(b, vlr, 1);
  spit(dir / "compressor1.laz", b);
  CHECK_THAT(open_error(dir / "compressor1.laz"),
             Contains("compressor1.laz") && Contains("chunk 0"));
  b = good;
  poke<std::uint16_t>(b, vlr, 7);
  spit(dir / "compressor7.laz", b);
  CHECK_THAT(open_error(dir / "compressor7.laz"),
             Contains("compressor7.laz") && Contains("compressor 7 (unknown)"));
  b = good;
  poke<std::uint16_t>(b, vlr + 34 + 6 + 4, 1);  // GPSTIME11 version 1
  spit(dir / "gps11v1.laz", b);
  CHECK_THAT(open_error(dir / "gps11v1.laz"),
             Contains("item GPSTIME11 version 1 is not supported"));
  b = good;
  poke<std::uint16_t>(b, vlr + 34 + 4, 3);  // POINT10 version 3
  spit(dir / "point10v3.laz", b);
  CHECK_THAT(open_error(dir / "point10v3.laz"),
             Contains("item POINT10 version 3 is not supported"));
  b = good;
  poke<std::uint16_t>(b, vlr + 34 + 6 + 6, 11);  // RGB12 -> RGB14
  spit(dir / "rgb14.laz", b);
  CHECK_THAT(open_error(dir / "rgb14.laz"), Contains("RGB14") && Contains("needs RGB12"));
  b = good;
  poke<std::uint16_t>(b, vlr + 2, 1);  // coder 1
  spit(dir / "coder.laz", b);
  CHECK_THAT(open_error(dir / "coder.laz"), Contains("coder 1"));
}

TEST_CASE("Truncated LAZ, corrupt chunk tables and wrong point counts are refused",
          "[tiles][laz][bad]") {
  const auto dir = test::scratch_dir("laz_bad");
  const auto good = slurp(test::test_data("laspy/simple.laz"));
  const auto points_at = peek<std::uint32_t>(good, 96);
  const auto table_at = peek<std::int64_t>(good, points_at);
  REQUIRE(table_at > 0);
  REQUIRE(static_cast<std::size_t>(table_at) < good.size());

  // Cut inside the chunk: the table (at the end) is gone.
  auto b = std::vector<std::uint8_t>(good.begin(),
                                     good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2));
  spit(dir / "half.laz", b);
  CHECK_THAT(open_error(dir / "half.laz"),
             Contains("half.laz") && Contains("chunk table") && Contains("truncated"));
  // Cut inside the table's coded entries.
  b.assign(good.begin(), good.begin() + table_at + 9);
  spit(dir / "table_cut.laz", b);
  CHECK_THAT(open_error(dir / "table_cut.laz"),
             Contains("table_cut.laz") && Contains("corrupt chunk table"));
  // A table listing two chunks where the header's points make one.
  b = good;
  poke<std::uint32_t>(b, static_cast<std::size_t>(table_at) + 4, 2);
  spit(dir / "two_chunks.laz", b);
  CHECK_THAT(open_error(dir / "two_chunks.laz"),
             Contains("corrupt chunk table") && Contains("lists 2 chunks"));
  // A table version that does not exist.
  b = good;
  poke<std::uint32_t>(b, static_cast<std::size_t>(table_at), 5);
  spit(dir / "version.laz", b);
  CHECK_THAT(open_error(dir / "version.laz"), Contains("version 5"));
  // The table's offset pointing into the header.
  b = good;
  poke<std::int64_t>(b, points_at, 12);
  spit(dir / "offset.laz", b);
  CHECK_THAT(open_error(dir / "offset.laz"),
             Contains("corrupt chunk table") && Contains("offset 12"));

  // The header's point count one fewer or one more than the chunk holds.
  for (std::uint32_t n : {1064u, 1066u}) {
    b = good;
    poke<std::uint32_t>(b, 107, n);
    const auto path = dir / ("count" + std::to_string(n) + ".laz");
    spit(path, b);
    CHECK_THAT(open_error(path), Contains(path.filename().string()) && Contains("chunk 0") &&
                                     Contains("point count disagrees"));
  }
  // A chunk's bytes damaged in the middle: decoding stays inside the chunk
  // and either ends at the wrong place or yields other values, never hangs.
  b = good;
  for (std::size_t i = 0; i < 64; ++i)
    b[points_at + 8 + 40 + 500 + i] ^= 0x5A;
  spit(dir / "damaged.laz", b);
  const std::string damaged = open_error(dir / "damaged.laz");
  if (damaged != "no error")
    CHECK_THAT(damaged, Contains("chunk 0"));
}

TEST_CASE("Variable-size chunk tables decode and are checked", "[tiles][laz]") {
  // A table of three variable chunks, coded by the encoder and decoded.
  std::vector<io::laz::Chunk> chunks = {{0, 10, 108, 400}, {10, 7, 508, 300}, {17, 20, 808, 1000}};
  const auto bytes = io::laz::encode_chunk_table(chunks, true);
  io::laz::ChunkTableLayout layout;
  layout.chunk_size = io::laz::kVariableChunks;
  layout.data_start = 108;
  layout.table_offset = 1808;
  layout.point_count = 37;
  layout.record_length = 20;
  const auto back = io::laz::decode_chunk_table(bytes.data(), bytes.size(), layout, "v.laz");
  REQUIRE(back.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(back[i].first_point == chunks[i].first_point);
    CHECK(back[i].points == chunks[i].points);
    CHECK(back[i].offset == chunks[i].offset);
    CHECK(back[i].bytes == chunks[i].bytes);
  }
  CHECK(io::laz::chunk_of(back, 0) == 0);
  CHECK(io::laz::chunk_of(back, 16) == 1);
  CHECK(io::laz::chunk_of(back, 17) == 2);
  layout.point_count = 38;
  CHECK_THROWS_WITH(io::laz::decode_chunk_table(bytes.data(), bytes.size(), layout, "v.laz"),
                    Contains("hold 37 points but the header says 38"));
  layout.point_count = 37;
  layout.table_offset = 148;  // 40 bytes of chunks: room for two raw records
  CHECK_THROWS_WITH(io::laz::decode_chunk_table(bytes.data(), bytes.size(), layout, "v.laz"),
                    Contains("lists 3 chunks") && Contains("hold at most 2 records"));
  layout.table_offset = 1700;
  CHECK_THROWS_WITH(io::laz::decode_chunk_table(bytes.data(), bytes.size(), layout, "v.laz"),
                    Contains("chunk 2") && Contains("runs past"));
}

TEST_CASE("A LAZ file of variable-size chunks decodes, ranges across chunks too", "[tiles][laz]") {
  // simple.las's records in chunks of 100, 465 and 500 points, the table
  // listing each chunk's points (chunk size 0xFFFFFFFF in the laszip VLR).
  io::LasReader las(test::test_data("laspy/simple.las"));
  const auto rec = las.read_records(0, las.point_count());
  const std::uint64_t len = las.header().record_length;
  io::laz::LaszipVlr v = io::laz::vlr_for(las.header());
  v.chunk_size = io::laz::kVariableChunks;
  io::LasHeader h = io::laz::laz_header(las.header(), v);
  std::vector<std::uint8_t> file = io::las_encode_header(h);
  file[104] = h.format_byte;
  const std::size_t at_table = file.size();
  file.resize(file.size() + 8);
  std::vector<io::laz::Chunk> table;
  std::uint64_t first = 0;
  for (std::uint64_t n : {100u, 465u, 500u}) {
    std::vector<std::uint8_t> bytes;
    io::laz::PointwiseChunkEncoder(v.items).encode(rec.data() + first * len, n, bytes);
    table.push_back({first, n, file.size(), bytes.size()});
    file.insert(file.end(), bytes.begin(), bytes.end());
    first += n;
  }
  REQUIRE(first == las.point_count());
  poke<std::int64_t>(file, at_table, static_cast<std::int64_t>(file.size()));
  const auto t = io::laz::encode_chunk_table(table, true);
  file.insert(file.end(), t.begin(), t.end());
  const auto dir = test::scratch_dir("laz_variable");
  spit(dir / "variable.laz", file);

  io::LasReader laz(dir / "variable.laz");
  REQUIRE(laz.compressed());
  REQUIRE(laz.laz()->chunks().size() == 3);
  CHECK(laz.laz()->chunks()[1].points == 465);
  CHECK(laz.read_records(0, laz.point_count()) == rec);
  const auto mid = laz.read_records(90, 500);  // chunks 0, 1 and 2
  CHECK(std::equal(mid.begin(), mid.end(), rec.begin() + 90 * static_cast<std::ptrdiff_t>(len)));
  // Whole chunks per part: 3 chunks over 2 parts are [0, 565) and [565, 1065).
  CHECK(laz.part(2, 0) == std::pair<std::uint64_t, std::uint64_t>{0, 565});
  CHECK(laz.part(2, 1) == std::pair<std::uint64_t, std::uint64_t>{565, 1065});
  CHECK(laz.read_span(100, 10, 1065) == 465);

  // The middle chunk listed as 464 points: its data holds one more.
  std::vector<io::laz::Chunk> wrong = table;
  wrong[1].points = 464;
  wrong[2].points = 501;
  auto bad = file;
  bad.resize(bad.size() - t.size());
  const auto t2 = io::laz::encode_chunk_table(wrong, true);
  bad.insert(bad.end(), t2.begin(), t2.end());
  spit(dir / "wrong_count.laz", bad);
  CHECK_THAT(open_error(dir / "wrong_count.laz"), Contains("wrong_count.laz") &&
                                                      Contains("chunk 1") &&
                                                      Contains("point count disagrees"));
}

TEST_CASE("LAZ chunk ranges are split by compressed bytes", "[tiles][laz]") {
  using tessera::io::laz::Chunk;
  using tessera::io::laz::part_start;
  auto chunks = [](std::vector<std::uint64_t> bytes) {
    std::vector<Chunk> out;
    for (std::uint64_t b : bytes)
      out.push_back(Chunk{out.size() * 10, 10, 0, b});
    return out;
  };
  // A heavy last chunk: the first two make one part, the last the other.
  const std::vector<Chunk> skewed = chunks({100, 100, 800});
  CHECK(part_start(skewed, 2, 0) == 0);
  CHECK(part_start(skewed, 2, 1) == 2);
  CHECK(part_start(skewed, 2, 2) == 3);
  // Equal chunks: equal counts, as block_range would give.
  const std::vector<Chunk> even = chunks(std::vector<std::uint64_t>(1000, 5));
  CHECK(part_start(even, 2, 1) == 500);
  CHECK(part_start(even, 4, 1) == 250);
  CHECK(part_start(even, 4, 3) == 750);
  // More parts than chunks: some parts are empty, every chunk in one part.
  const std::vector<Chunk> two = chunks({7, 7});
  std::size_t covered = 0;
  for (int i = 0; i < 4; ++i) {
    CHECK(part_start(two, 4, i) <= part_start(two, 4, i + 1));
    covered += part_start(two, 4, i + 1) - part_start(two, 4, i);
  }
  CHECK(covered == 2);
  CHECK(part_start({}, 3, 1) == 0);
}
