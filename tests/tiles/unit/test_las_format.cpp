// LAS writer/reader round trips per point format, header fields and the
// extra-bytes VLR checked at their specified byte positions.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/las_reader.hpp"
#include "tessera/io/las_writer.hpp"

using namespace tessera;

namespace {

std::vector<std::uint8_t> file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
template <typename T>
T at(const std::vector<std::uint8_t>& b, std::size_t off) {
  T v;
  std::memcpy(&v, b.data() + off, sizeof v);
  return v;
}

std::vector<std::uint8_t> random_records(int format, int length, int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> r(static_cast<std::size_t>(length) * n);
  for (auto& b : r)
    b = static_cast<std::uint8_t>(rng());
  // Keep return numbers in 1..15 so the by-return counts are meaningful.
  for (int i = 0; i < n; ++i) {
    std::uint8_t& ret = r[static_cast<std::size_t>(i) * length + 14];
    ret = format < 6 ? static_cast<std::uint8_t>((ret & 0xF8) | (1 + i % 5))
                     : static_cast<std::uint8_t>((ret & 0xF0) | (1 + i % 15));
  }
  return r;
}

}  // namespace

TEST_CASE("LAS records written for every point format read back bit-exact", "[tiles][las]") {
  const auto dir = test::scratch_dir("las_roundtrip");
  for (int format : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) {
    for (int extra : {0, 14}) {
      for (int minor : {2, 3, 4}) {
        // Wave packets came with LAS 1.3 (formats 4, 5), formats 6-10 with 1.4.
        if ((format >= 6 && minor < 4) || ((format == 4 || format == 5) && minor < 3))
          continue;
        DYNAMIC_SECTION("format " << format << " extra " << extra << " LAS 1." << minor) {
          io::LasHeader h;
          h.version_minor = static_cast<std::uint8_t>(minor);
          h.point_format = h.format_byte = static_cast<std::uint8_t>(format);
          h.record_length =
              static_cast<std::uint16_t>(io::las_standard_record_length(format) + extra);
          h.scale = {0.01, 0.001, 0.0001};
          h.offset = {500000, 4100000, -10};
          io::LasVlr crs;
          crs.user_id = "LASF_Projection";
          crs.record_id = 2112;
          const std::string wkt = "PROJCS[\"test\"]";
          crs.data.assign(wkt.begin(), wkt.end());
          h.vlrs.push_back(crs);
          if (extra > 0) {
            h.vlrs.push_back(io::las_extra_bytes_vlr(
                {{10, 0, "distance", "d"}, {3, 0, "flag16", ""}, {5, 0, "count", ""}}));
          }
          const int n = 257;
          const auto records = random_records(format, h.record_length, n, 7u + format);
          const auto path = dir / ("f" + std::to_string(format) + "_" + std::to_string(extra) +
                                   "_" + std::to_string(minor) + ".las");
          io::write_las_file(path, h, records);

          io::LasReader r(path);
          CHECK(r.point_count() == static_cast<std::uint64_t>(n));
          CHECK(r.header().point_format == format);
          CHECK(r.header().record_length == h.record_length);
          CHECK(r.header().version_minor == minor);
          CHECK(r.header().crs() == wkt);
          CHECK(r.read_records(0, n) == records);
          CHECK(r.read_records(100, 50) ==
                std::vector<std::uint8_t>(records.begin() + 100 * h.record_length,
                                          records.begin() + 150 * h.record_length));
          // A mapped range (at an offset that is not page-aligned) holds the
          // same bytes as the read.
          const MappedRange m = r.map_records(100, 50);
          REQUIRE(m.size() == 50u * h.record_length);
          CHECK(std::equal(m.data(), m.data() + m.size(), records.begin() + 100 * h.record_length));
          CHECK(r.map_records(n, 0).data() == nullptr);
          CHECK_THROWS_AS(r.map_records(n - 10, 11), UsageError);
          // Header fields at the positions of the specification.
          const auto b = file_bytes(path);
          CHECK(std::memcmp(b.data(), "LASF", 4) == 0);
          CHECK(b[24] == 1);
          CHECK(b[25] == minor);
          const std::uint16_t hsize = minor == 4 ? 375 : minor == 3 ? 235 : 227;
          CHECK(at<std::uint16_t>(b, 94) == hsize);
          CHECK(at<std::uint32_t>(b, 100) == h.vlrs.size());
          CHECK(b[104] == format);
          CHECK(at<std::uint16_t>(b, 105) == h.record_length);
          CHECK(at<std::uint32_t>(b, 107) == (format >= 6 ? 0u : static_cast<std::uint32_t>(n)));
          if (minor == 4)
            CHECK(at<std::uint64_t>(b, 247) == static_cast<std::uint64_t>(n));
          CHECK(at<double>(b, 131) == 0.01);
          CHECK(at<double>(b, 171) == -10.0);
          CHECK(at<std::uint32_t>(b, 96) + static_cast<std::size_t>(n) * h.record_length ==
                b.size());
          // Bounds: max x at 179, min x at 187 equal the extreme records.
          std::int32_t xmin = INT32_MAX, xmax = INT32_MIN;
          for (int i = 0; i < n; ++i) {
            std::int32_t x;
            std::memcpy(&x, records.data() + static_cast<std::size_t>(i) * h.record_length, 4);
            xmin = std::min(xmin, x);
            xmax = std::max(xmax, x);
          }
          CHECK(at<double>(b, 179) == xmax * 0.01 + 500000);
          CHECK(at<double>(b, 187) == xmin * 0.01 + 500000);
          // VLR 1 at the header's end: 54-byte header, user id, record id, length.
          std::size_t vlr = hsize + 54 + wkt.size();
          if (extra > 0) {
            CHECK(std::string(reinterpret_cast<const char*>(b.data() + vlr + 2)) == "LASF_Spec");
            CHECK(at<std::uint16_t>(b, vlr + 18) == 4);
            CHECK(at<std::uint16_t>(b, vlr + 20) == 3 * 192);
            const std::size_t d0 = vlr + 54;
            CHECK(b[d0 + 2] == 10);  // data type f64
            CHECK(std::string(reinterpret_cast<const char*>(b.data() + d0 + 4)) == "distance");
            CHECK(b[d0 + 192 + 2] == 3);
            const auto dims = r.header().extra_dimensions();
            REQUIRE(dims.size() == 3);
            CHECK(dims[0].name == "distance");
            CHECK(dims[1].name == "flag16");
            CHECK(dims[2].data_type == 5);
            CHECK(r.header().extra_bytes_per_record() == 14);
          }
        }
      }
    }
  }
}

TEST_CASE("Every point format's standard record length and field positions are the spec's",
          "[tiles][las]") {
  // ASPRS LAS 1.4 R15, Tables 7-17: record lengths; GPS time after the
  // scan angle / point source id; the 29-byte wave packet descriptor
  // (Table 13) last in formats 4, 5, 9, 10.
  const int length[] = {20, 28, 26, 34, 57, 63, 30, 36, 38, 59, 67};
  const int gps[] = {-1, 20, -1, 20, 20, 20, 22, 22, 22, 22, 22};
  const int wave[] = {-1, -1, -1, -1, 28, 34, -1, -1, -1, 30, 38};
  for (int f = 0; f <= 10; ++f) {
    CHECK(io::las_format_supported(f));
    CHECK(io::las_standard_record_length(f) == length[f]);
    const io::LasPointLayout layout(f);
    CHECK(layout.gps_time == gps[f]);
    CHECK(layout.wave_packet == wave[f]);
    CHECK(layout.legacy == (f < 6));
    if (wave[f] >= 0)
      CHECK(wave[f] + 29 == length[f]);
  }
  CHECK_FALSE(io::las_format_supported(11));
  // A descriptor's fields at their offsets within it.
  std::vector<std::uint8_t> rec(67, 0);
  const io::LasPointLayout l10(10);
  std::uint8_t* w = rec.data() + 38;
  w[0] = 3;
  const std::uint64_t offset = 0x0102030405060708ull;
  const std::uint32_t size = 256;
  const float loc = 1234.5f, xt = -0.25f, yt = 0.5f, zt = -1e-3f;
  std::memcpy(w + 1, &offset, 8);
  std::memcpy(w + 9, &size, 4);
  std::memcpy(w + 13, &loc, 4);
  std::memcpy(w + 17, &xt, 4);
  std::memcpy(w + 21, &yt, 4);
  std::memcpy(w + 25, &zt, 4);
  const io::LasWavePacket p = l10.wave_packet_of(rec.data());
  CHECK(p.descriptor_index == 3);
  CHECK(p.byte_offset == offset);
  CHECK(p.packet_size == size);
  CHECK(p.return_location == loc);
  CHECK(p.xt == xt);
  CHECK(p.yt == yt);
  CHECK(p.zt == zt);
}

TEST_CASE("GeoKey directories give an EPSG code as the CRS", "[tiles][las]") {
  io::LasHeader h;
  io::LasVlr v;
  v.user_id = "LASF_Projection";
  v.record_id = 34735;
  const std::uint16_t keys[] = {1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 32611};
  v.data.resize(sizeof keys);
  std::memcpy(v.data.data(), keys, sizeof keys);
  h.vlrs.push_back(v);
  CHECK(h.crs() == "EPSG:32611");
  CHECK(h.crs_vlrs().size() == 1);
}

TEST_CASE("Header statistics of a run of records equal those of the records one by one",
          "[tiles][las]") {
  // add_records (one loop per tile, used by the tiled writer; add is one
  // record of it) against the statistics computed here from the layout's
  // accessors: counts, raw bounds and returns per number, for
  // legacy and 1.4 formats, with and without extra bytes, in one call and
  // in several; a run of 0 records changes nothing. Random bytes, except
  // some return numbers 0 (never counted).
  for (int format : {0, 1, 3, 4, 6, 8, 10}) {
    for (int extra : {0, 9}) {
      DYNAMIC_SECTION("format " << format << " extra " << extra) {
        const int length = io::las_standard_record_length(format) + extra;
        const int n = 997;
        std::vector<std::uint8_t> recs = random_records(format, length, n, 77u + format);
        for (int i = 0; i < n; i += 13)
          recs[static_cast<std::size_t>(i) * length + 14] &= format < 6 ? 0xF8 : 0xF0;
        const io::LasPointLayout layout(format, length);
        io::LasRecordStats one, run, parts, single;
        one.count = static_cast<std::uint64_t>(n);
        for (int i = 0; i < n; ++i) {
          const std::uint8_t* r = recs.data() + static_cast<std::size_t>(i) * length;
          const std::int32_t xyz[3] = {layout.raw_x(r), layout.raw_y(r), layout.raw_z(r)};
          for (std::size_t k = 0; k < 3; ++k) {
            one.min_raw[k] = std::min(one.min_raw[k], xyz[k]);
            one.max_raw[k] = std::max(one.max_raw[k], xyz[k]);
          }
          if (const int ret = layout.return_number(r); ret >= 1)
            ++one.by_return[static_cast<std::size_t>(ret - 1)];
          single.add(layout, r);
        }
        run.add_records(layout, recs.data(), n);
        parts.add_records(layout, recs.data(), 0);
        CHECK(parts.count == 0);
        for (int at = 0; at < n; at += 100)
          parts.add_records(layout, recs.data() + static_cast<std::size_t>(at) * length,
                            static_cast<std::uint64_t>(std::min(100, n - at)));
        for (const io::LasRecordStats* s : {&run, &parts, &single}) {
          CHECK(s->count == one.count);
          CHECK(s->by_return == one.by_return);
          CHECK(s->min_raw == one.min_raw);
          CHECK(s->max_raw == one.max_raw);
        }
      }
    }
  }
}
