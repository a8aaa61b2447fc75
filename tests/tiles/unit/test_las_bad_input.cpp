// Bad LAS input is refused at open with a FormatError naming the problem.
#include <fstream>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/las_reader.hpp"
#include "tessera/io/las_writer.hpp"

using namespace tessera;
using Catch::Matchers::Contains;

namespace {

std::filesystem::path good_file(const std::filesystem::path& dir, int n = 100) {
  io::LasHeader h;  // 1.4, format 6
  std::vector<std::uint8_t> rec(static_cast<std::size_t>(n) * h.record_length, 0);
  for (int i = 0; i < n; ++i)
    rec[static_cast<std::size_t>(i) * h.record_length + 14] = 0x11;
  const auto p = dir / "good.las";
  io::write_las_file(p, h, rec);
  return p;
}

std::filesystem::path patched(const std::filesystem::path& src, const std::filesystem::path& dst,
                              std::size_t offset, const std::vector<std::uint8_t>& bytes) {
  std::filesystem::copy_file(src, dst, std::filesystem::copy_options::overwrite_existing);
  std::fstream f(dst, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return dst;
}

std::string open_error(const std::filesystem::path& p) {
  try {
    io::LasReader r(p);
  } catch (const FormatError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("Truncated LAS files and wrong header counts are refused", "[tiles][las][bad]") {
  const auto dir = test::scratch_dir("las_bad_counts");
  const auto good = good_file(dir);
  REQUIRE_NOTHROW(io::LasReader(good));
  const auto cut = dir / "cut.las";
  std::filesystem::copy_file(good, cut, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(cut, std::filesystem::file_size(good) - 45);
  CHECK_THAT(open_error(cut), Contains("cut.las") && Contains("truncated"));
  CHECK_THAT(open_error(patched(good, dir / "more.las", 247, {200, 0, 0, 0, 0, 0, 0, 0})),
             Contains("header says 200 points"));
  CHECK_THAT(open_error(patched(good, dir / "fewer.las", 247, {50, 0, 0, 0, 0, 0, 0, 0})),
             Contains("holds 100 records"));
  const auto tiny = dir / "tiny.las";
  std::filesystem::copy_file(good, tiny, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(tiny, 100);
  CHECK_THAT(open_error(tiny), Contains("too small"));
}

TEST_CASE("Unknown point formats, LAZ and non-LAS files are refused", "[tiles][las][bad]") {
  const auto dir = test::scratch_dir("las_bad_format");
  const auto good = good_file(dir);
  CHECK_THAT(open_error(patched(good, dir / "f11.las", 104, {11})),
             Contains("unsupported point data format 11"));
  CHECK_THAT(open_error(patched(good, dir / "f63.las", 104, {63})),
             Contains("unsupported point data format 63"));
  // Format 9 (wave packets) is read, but its 59-byte records do not fit the
  // 30-byte records of the file.
  CHECK_THAT(open_error(patched(good, dir / "f9.las", 104, {9})),
             Contains("shorter than the 59 bytes of point format 9"));
  CHECK_THAT(open_error(patched(good, dir / "laz.las", 104, {0x86})), Contains("LAZ"));
  CHECK(io::las_is_compressed(dir / "laz.las"));
  CHECK_FALSE(io::las_is_compressed(good));
  // A LASzip VLR marks compression even with a clean format byte.
  {
    io::LasHeader h;
    io::LasVlr v;
    v.user_id = "laszip encoded";
    v.record_id = 22204;
    v.data.assign(34, 0);
    h.vlrs.push_back(v);
    io::write_las_file(dir / "laszip_vlr.las", h, {});
    CHECK_THAT(open_error(dir / "laszip_vlr.las"), Contains("LAZ") && Contains("compressor 0"));
  }
  CHECK_THAT(open_error(patched(good, dir / "sig.las", 0, {'L', 'A', 'S', 'X'})),
             Contains("not a LAS file"));
  CHECK_THAT(open_error(patched(good, dir / "reclen.las", 105, {20, 0})), Contains("shorter than"));
  CHECK_THAT(open_error(patched(good, dir / "vlrcount.las", 100, {3, 0, 0, 0})), Contains("VLR"));
  CHECK_THROWS_AS(io::LasReader(dir / "missing.las"), IoError);
}

TEST_CASE("Zero or non-finite scales and offsets are refused", "[tiles][las][bad]") {
  const auto dir = test::scratch_dir("las_bad_scale");
  const auto good = good_file(dir);
  // Header offsets 131 (x scale), 147 (z scale), 163 (y offset): doubles.
  const std::vector<std::uint8_t> zero(8, 0);
  const std::vector<std::uint8_t> nan = {0, 0, 0, 0, 0, 0, 0xF8, 0x7F};
  CHECK_THAT(open_error(patched(good, dir / "sx0.las", 131, zero)),
             Contains("sx0.las") && Contains("invalid x scale"));
  CHECK_THAT(open_error(patched(good, dir / "sznan.las", 147, nan)), Contains("invalid z scale"));
  CHECK_THAT(open_error(patched(good, dir / "oynan.las", 163, nan)), Contains("invalid y scale"));
}
