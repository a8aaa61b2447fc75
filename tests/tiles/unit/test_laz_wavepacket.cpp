// LAZ wave packets (io/laz/wavepacket*.hpp): point formats 4 and 5
// (compressor 2, WAVEPACKET13 v1) and 9 and 10 (compressor 3, WAVEPACKET14
// v3, a layer of its own) round-trip bit for bit with and without extra
// bytes, over every way an offset can follow the last (same, after the last
// packet, a 32-bit jump either way, a 64-bit jump) and several scanner
// channels; laspy's fullwave.laz (LASzip, format 10) decodes to packets
// that agree with its wave packet descriptor and re-encodes to LASzip's
// bytes; bad wave packet layers and item versions are refused by name.
#include <cmath>
#include <cstring>
#include <random>

#include "laz_test_files.hpp"
#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/las_reader.hpp"
#include "tessera/io/laz/layered_chunk.hpp"
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

/// Bytes of the standard record before the wave packet (LAS 1.4 R15,
/// Tables 11, 12, 16, 17: formats 1, 3, 6 and 8 plus the descriptor).
std::size_t base_length(int format) {
  return format == 4 ? 28 : format == 5 ? 34 : format == 9 ? 30 : 38;
}

/// `n` records of point format `format` (4, 5, 9, 10) with `extra` extra
/// bytes: pulses of 1-5 returns sharing a GPS time and a waveform, the
/// waveforms mostly one after the other, sometimes jumping back or ahead
/// (beyond 2^32 bytes too), packet sizes and descriptor indexes changing,
/// float fields by any bits (NaN and -0 among them); for formats 9 and 10
/// `channels` scanner channels interleaved.
std::vector<std::uint8_t> records(int format, int extra, std::size_t n, unsigned seed,
                                  int channels) {
  const std::size_t base = base_length(format), len = base + 29 + extra;
  const bool layered = format >= 9;
  std::vector<std::uint8_t> rec(n * len, 0);
  std::mt19937 rng(seed);
  auto u = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::int32_t x = 5000, y = 7000, z = 100;
  double t = 2.5e5;
  int ret = 1, nret = 1, channel = 0;
  std::uint8_t index = 1;
  std::uint64_t offset = 60, size = 256;
  float location = 1000.0F, xt = 0.01F, yt = -0.02F, zt = -0.9F;
  std::uint16_t rgb[4] = {10, 20, 30, 40};
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t* p = rec.data() + i * len;
    if (ret >= nret) {  // a new pulse: its own waveform
      nret = u(1, 5);
      ret = 1;
      t += u(0, 30) == 0 ? 77.5 : 1e-5;
      if (channels > 1 && u(0, 5) == 0)
        channel = u(0, channels - 1);
      const int how = u(0, 40);
      if (how == 0)
        offset -= static_cast<std::uint64_t>(u(1, 100000));  // back
      else if (how == 1)
        offset += static_cast<std::uint64_t>(u(1, 1 << 30)) * 16;  // beyond 32 bits
      else if (how == 2)
        offset += size + static_cast<std::uint64_t>(u(1, 5000));  // a gap
      else
        offset += size;  // right after the last packet
      if (u(0, 20) == 0)
        size = static_cast<std::uint64_t>(u(1, 4)) * 128;
      if (u(0, 30) == 0)
        index = static_cast<std::uint8_t>(u(0, 10) == 0 ? u(0, 255) : u(1, 2));
      xt = static_cast<float>(u(-100, 100)) * 1e-4F;
      yt = static_cast<float>(u(-100, 100)) * 1e-4F;
      zt = -0.99F + static_cast<float>(u(0, 10)) * 1e-3F;
      if (u(0, 50) == 0)
        zt = u(0, 1) == 0 ? std::nanf("") : -0.0F;
    } else {
      ++ret;
    }
    location = static_cast<float>(ret) * 1234.5F + static_cast<float>(u(0, 99));
    x += u(-50, 80);
    y += u(-40, 40);
    z += u(-30, 30);
    std::memcpy(p, &x, 4);
    std::memcpy(p + 4, &y, 4);
    std::memcpy(p + 8, &z, 4);
    const auto intensity = static_cast<std::uint16_t>(u(0, 2000));
    std::memcpy(p + 12, &intensity, 2);
    if (layered) {
      p[14] = static_cast<std::uint8_t>((ret & 15) | (nret << 4));
      p[15] = static_cast<std::uint8_t>((channel << 4) | (u(0, 1) << 6));
      p[16] = static_cast<std::uint8_t>(u(0, 4) == 0 ? 6 : 2);
      p[17] = static_cast<std::uint8_t>(i / 500);
      const auto angle = static_cast<std::int16_t>(u(-3000, 3000));
      std::memcpy(p + 18, &angle, 2);
      const auto source = static_cast<std::uint16_t>(3 + i / 1500);
      std::memcpy(p + 20, &source, 2);
      std::memcpy(p + 22, &t, 8);
    } else {
      p[14] = static_cast<std::uint8_t>((ret & 7) | ((nret & 7) << 3) | (u(0, 1) << 6));
      p[15] = static_cast<std::uint8_t>(u(0, 4) == 0 ? 6 : 2);
      p[16] = static_cast<std::uint8_t>(u(-20, 20));
      p[17] = static_cast<std::uint8_t>(i / 500);
      const auto source = static_cast<std::uint16_t>(3 + i / 1500);
      std::memcpy(p + 18, &source, 2);
      std::memcpy(p + 20, &t, 8);
    }
    if (format == 5 || format == 10) {
      if (u(0, 3) == 0)
        for (auto& c : rgb)
          c = static_cast<std::uint16_t>(u(0, 65535));
      std::memcpy(p + (format == 5 ? 28 : 30), rgb, format == 5 ? 6 : 8);
    }
    std::uint8_t* w = p + base;
    w[0] = index;
    const auto size32 = static_cast<std::uint32_t>(size);
    std::memcpy(w + 1, &offset, 8);
    std::memcpy(w + 9, &size32, 4);
    std::memcpy(w + 13, &location, 4);
    std::memcpy(w + 17, &xt, 4);
    std::memcpy(w + 21, &yt, 4);
    std::memcpy(w + 25, &zt, 4);
    for (int e = 0; e < extra; ++e)
      p[base + 29 + static_cast<std::size_t>(e)] =
          static_cast<std::uint8_t>(e == 0 ? 42 : u(0, 255));
  }
  return rec;
}

io::LasHeader header_for(int format, int extra) {
  io::LasHeader h;  // LAS 1.4
  h.point_format = static_cast<std::uint8_t>(format);
  h.format_byte = h.point_format;
  h.record_length = static_cast<std::uint16_t>(base_length(format) + 29 + extra);
  return h;
}

std::string name_of(int format, int extra, int channels) {
  std::string name = "f";  // appended piecewise (GCC 12's -Wrestrict misfires on a + chain)
  name += std::to_string(format);
  name += "_e";
  name += std::to_string(extra);
  name += "_c";
  name += std::to_string(channels);
  name += ".laz";
  return name;
}

/// Writes `rec` as LAZ, reads it back whole and across chunks, and checks
/// the item list ends with `wave` (item type, version) before any bytes.
void round_trip(const std::filesystem::path& path, int format, int extra,
                const std::vector<std::uint8_t>& rec, std::uint16_t wave, std::uint16_t version) {
  const std::size_t n = rec.size() / (base_length(format) + 29 + static_cast<std::size_t>(extra));
  io::laz::write_laz_file(path, header_for(format, extra), rec, 1000);
  io::LasReader r(path);
  REQUIRE(r.compressed());
  REQUIRE(r.header().point_format == format);
  const auto& items = r.laz()->vlr().items;
  const std::size_t at = items.size() - (extra > 0 ? 2 : 1);
  CHECK(items[at].type == wave);
  CHECK(items[at].size == 29);
  CHECK(items[at].version == version);
  REQUIRE(r.laz()->chunks().size() == (n + 999) / 1000);
  const auto back = r.read_records(0, n);
  REQUIRE(back.size() == rec.size());
  CHECK(back == rec);
  const std::size_t len = r.header().record_length;
  const auto part = r.read_records(1999, 1002);  // across three chunks
  CHECK(
      std::equal(part.begin(), part.end(), rec.begin() + static_cast<std::ptrdiff_t>(1999 * len)));
  CHECK(r.laz()->compressed_bytes() < rec.size() / 2);
}

}  // namespace

TEST_CASE("LAZ round-trips point formats 4 and 5 (WAVEPACKET13 v1) bit for bit",
          "[tiles][laz][wavepacket]") {
  const auto dir = test::scratch_dir("laz_wavepacket13");
  for (int format : {4, 5}) {
    for (int extra : {0, 3}) {
      INFO("format " << format << ", extra " << extra);
      const auto rec = records(format, extra, 5001, static_cast<unsigned>(format + extra), 1);
      const auto path = dir / name_of(format, extra, 1);
      round_trip(path, format, extra, rec, 9, 1);
      io::LasReader r(path);
      CHECK(r.laz()->vlr().compressor == 2);
    }
  }
}

TEST_CASE("Layered LAZ round-trips point formats 9 and 10 (WAVEPACKET14 v3) bit for bit",
          "[tiles][laz][layered][wavepacket]") {
  const auto dir = test::scratch_dir("laz_wavepacket14");
  for (int format : {9, 10}) {
    for (int extra : {0, 4}) {
      for (int channels : {1, 4}) {
        INFO("format " << format << ", extra " << extra << ", channels " << channels);
        const auto rec = records(format, extra, 5001,
                                 static_cast<unsigned>(format * 10 + extra + channels), channels);
        const auto path = dir / name_of(format, extra, channels);
        round_trip(path, format, extra, rec, 13, 3);
        io::LasReader r(path);
        CHECK(r.laz()->vlr().compressor == 3);
      }
    }
  }
}

TEST_CASE("A layered chunk whose wave packets never change leaves their layer out",
          "[tiles][laz][layered][wavepacket]") {
  auto rec = records(9, 0, 300, 3, 2);
  const std::size_t len = 59;
  for (std::size_t i = 1; i < 300; ++i)
    std::memcpy(rec.data() + i * len + 30, rec.data() + 30, 29);
  const io::laz::LaszipVlr v = io::laz::layered_vlr(9, 0, 1000);
  std::vector<std::uint8_t> chunk;
  io::laz::LayeredChunkEncoder(v.items).encode(rec.data(), 300, chunk);
  // raw record, count, 9 POINT14 layer sizes, then the wave packet's
  CHECK(peek<std::uint32_t>(chunk, len + 4 + 9 * 4) == 0);
  std::vector<std::uint8_t> back(rec.size());
  io::laz::LayeredChunkDecoder(v.items).decode(chunk.data(), chunk.size(), 300, back.data(),
                                               "x.laz", 0);
  CHECK(back == rec);
}

TEST_CASE("laspy's fullwave.laz (LASzip, format 10, WAVEPACKET14) decodes and re-encodes",
          "[tiles][laz][layered][wavepacket]") {
  const auto path = test::test_data("laspy/fullwave.laz");
  io::LasReader r(path);
  REQUIRE(r.header().point_format == 10);
  REQUIRE(r.laz()->vlr().compressor == 3);
  REQUIRE(r.point_count() == 10750);
  // Decoding checks that every layer's stream ends at its last byte.
  const auto rec = r.read_records(0, r.point_count());
  const std::size_t len = r.header().record_length;
  REQUIRE(len == 67);
  // What the decoded packets must agree with, independently of the coder:
  // the descriptor (VLR LASF_Spec 100, index 1: bits per sample, samples)
  // gives every packet's size; packets of one pulse (same GPS time) share
  // their waveform; the return locations and x(t), y(t), z(t) are finite.
  const io::LasVlr* descriptor = nullptr;
  for (const io::LasVlr& v : r.header().vlrs)
    if (v.is("LASF_Spec", 100))
      descriptor = &v;
  REQUIRE(descriptor != nullptr);
  REQUIRE(descriptor->data.size() >= 6);
  std::uint32_t samples = 0;
  std::memcpy(&samples, descriptor->data.data() + 2, 4);
  const std::uint32_t packet = samples * descriptor->data[0] / 8;
  std::size_t channels_seen = 0, shared = 0, after = 0;
  bool sizes_ok = true, finite = true, index_ok = true;
  std::uint8_t channel_mask = 0;
  for (std::size_t i = 0; i < r.point_count(); ++i) {
    const std::uint8_t* p = rec.data() + i * len;
    const std::uint8_t* w = p + 38;
    std::uint32_t size = 0;
    std::memcpy(&size, w + 9, 4);
    sizes_ok = sizes_ok && size == packet;
    index_ok = index_ok && w[0] == 1;
    float f[4];
    std::memcpy(f, w + 13, 16);
    for (float v : f)
      finite = finite && std::isfinite(v);
    channel_mask = static_cast<std::uint8_t>(channel_mask | (1u << ((p[15] >> 4) & 3)));
    if (i > 0) {
      std::uint64_t o0 = 0, o1 = 0;
      std::memcpy(&o0, w - len + 1, 8);
      std::memcpy(&o1, w + 1, 8);
      if (std::memcmp(p + 22, p - len + 22, 8) == 0)
        shared += o1 == o0;
      after += o1 == o0 + packet;
    }
  }
  for (int c = 0; c < 4; ++c)
    channels_seen += (channel_mask >> c) & 1u;
  INFO("packet " << packet << " bytes; channels " << channels_seen << "; shared " << shared
                 << "; after " << after);
  CHECK(packet > 0);
  CHECK(sizes_ok);
  CHECK(index_ok);
  CHECK(finite);
  CHECK(after > r.point_count() / 4);
  // Tessera's encoder on the same records, in one chunk as LASzip wrote
  // them: LASzip's chunk byte for byte.
  const auto file = slurp(path);
  const auto points_at = peek<std::uint32_t>(file, 96);
  const auto table_at = peek<std::int64_t>(file, points_at);
  const std::vector<std::uint8_t> laszip_chunk(file.begin() + points_at + 8,
                                               file.begin() + table_at);
  std::vector<std::uint8_t> ours;
  io::laz::LayeredChunkEncoder(r.laz()->vlr().items).encode(rec.data(), r.point_count(), ours);
  CHECK(ours.size() == laszip_chunk.size());
  CHECK(ours == laszip_chunk);
}

TEST_CASE("Bad wave packet layers and item versions are refused naming the file and chunk",
          "[tiles][laz][wavepacket][bad]") {
  const auto dir = test::scratch_dir("laz_wavepacket_bad");
  // A layered chunk whose wave packet layer is cut (its size and the
  // chunk's bytes both shorter): the layer's stream ends before its points.
  const auto rec = records(9, 2, 400, 11, 2);
  const io::laz::LaszipVlr v = io::laz::layered_vlr(9, 2, 1000);
  std::vector<std::uint8_t> chunk;
  io::laz::LayeredChunkEncoder(v.items).encode(rec.data(), 400, chunk);
  const std::size_t len = 61, wave_size_at = len + 4 + 9 * 4;
  const auto wave_bytes = peek<std::uint32_t>(chunk, wave_size_at);
  REQUIRE(wave_bytes > 40);
  std::size_t wave_at = len + 4 + 12 * 4;  // after the 12 layer sizes
  for (std::size_t i = 0; i < 9; ++i)
    wave_at += peek<std::uint32_t>(chunk, len + 4 + 4 * i);
  auto cut = chunk;
  poke<std::uint32_t>(cut, wave_size_at, wave_bytes - 30);
  cut.erase(cut.begin() + static_cast<std::ptrdiff_t>(wave_at + wave_bytes - 30),
            cut.begin() + static_cast<std::ptrdiff_t>(wave_at + wave_bytes));
  std::vector<std::uint8_t> out(rec.size());
  io::laz::LayeredChunkDecoder dec(v.items);
  CHECK_THROWS_WITH(dec.decode(cut.data(), cut.size(), 400, out.data(), "cut.laz", 0),
                    Contains("cut.laz") && Contains("chunk 0") && Contains("layer wave packet"));
  // The layer sizes not adding up (the wave packet layer's bytes gone).
  auto gone = chunk;
  gone.resize(wave_at);
  CHECK_THROWS_WITH(dec.decode(gone.data(), gone.size(), 400, out.data(), "gone.laz", 0),
                    Contains("gone.laz") && Contains("chunk 0") && Contains("wrong layer sizes"));

  // Compressor 2: a format-4 file cut inside its first chunk.
  const auto rec4 = records(4, 0, 2000, 5, 1);
  io::laz::write_laz_file(dir / "f4.laz", header_for(4, 0), rec4, 1000);
  const auto good4 = slurp(dir / "f4.laz");
  const auto points_at = peek<std::uint32_t>(good4, 96);
  auto b = good4;
  // Chunk 0's last 40 bytes damaged (the table still lists its size).
  const auto table_at = static_cast<std::size_t>(peek<std::int64_t>(good4, points_at));
  io::LasReader r4(dir / "f4.laz");
  const std::size_t end0 = points_at + 8 + r4.laz()->chunks()[0].bytes;
  REQUIRE(end0 < table_at);
  std::fill(b.begin() + static_cast<std::ptrdiff_t>(end0 - 40),
            b.begin() + static_cast<std::ptrdiff_t>(end0), std::uint8_t{0xFF});
  spit(dir / "damaged4.laz", b);
  const std::string damaged = open_error(dir / "damaged4.laz");
  if (damaged != "no error")
    CHECK_THAT(damaged, Contains("damaged4.laz") && Contains("chunk 0"));

  // Item versions: WAVEPACKET13 is decoded as version 1 only, WAVEPACKET14
  // as version 3 (LASzip's version 4 changes the channel rule).
  std::size_t vlr = peek<std::uint16_t>(good4, 94);
  while (peek<std::uint16_t>(good4, vlr + 18) != 22204)
    vlr += 54 + peek<std::uint16_t>(good4, vlr + 20);
  vlr += 54;
  b = good4;
  REQUIRE(peek<std::uint16_t>(b, vlr + 34 + 2 * 6) == 9);
  poke<std::uint16_t>(b, vlr + 34 + 2 * 6 + 4, 2);
  spit(dir / "wave13v2.laz", b);
  CHECK_THAT(open_error(dir / "wave13v2.laz"),
             Contains("wave13v2.laz") && Contains("item WAVEPACKET13 version 2 is not supported"));

  io::laz::write_laz_file(dir / "f10.laz", header_for(10, 0), records(10, 0, 50, 2, 1), 1000);
  auto b10 = slurp(dir / "f10.laz");
  vlr = peek<std::uint16_t>(b10, 94);
  while (peek<std::uint16_t>(b10, vlr + 18) != 22204)
    vlr += 54 + peek<std::uint16_t>(b10, vlr + 20);
  vlr += 54;
  REQUIRE(peek<std::uint16_t>(b10, vlr + 34 + 2 * 6) == 13);
  poke<std::uint16_t>(b10, vlr + 34 + 2 * 6 + 4, 4);
  spit(dir / "wave14v4.laz", b10);
  CHECK_THAT(open_error(dir / "wave14v4.laz"),
             Contains("wave14v4.laz") && Contains("item WAVEPACKET14 version 4 is not supported"));
}
