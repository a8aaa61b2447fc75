// zafter files built in CFITSIO's memory driver and written with one write(2):
// the same bytes CFITSIO writes to a disk file for the same table (padding and
// size included, in a process that builds many such files, so recycled memory
// is exercised), readable back, and the resume check that accepts only a
// complete file made with the same fingerprint.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/healpix/bal_tables.hpp"
#include "tessera/healpix/zafter_file.hpp"
#include "tessera/io/fits_file.hpp"

using namespace tessera;
using namespace tessera::healpix;
using io::FitsFile;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<QsoRecord> sample_rows(std::size_t n) {
  std::vector<QsoRecord> rows;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(i);
    rows.push_back({39627000000000000 + static_cast<std::int64_t>(i) * 7919, 359.999 - x * 0.01,
                    -89.5 + x * 0.03, 2.1 + x / 1000.0, 1e-4 * x, i % 3 == 0 ? 4.0 : 0.0});
  }
  rows.push_back({-1, 0.0, -0.0, std::numeric_limits<double>::quiet_NaN(), 1e300, -2.5});
  return rows;
}

// The zafter table written by CFITSIO straight to disk, with
// `fingerprint` as TSFPRINT when given.
void write_with_cfitsio(const std::filesystem::path& path, const std::vector<QsoRecord>& rows,
                        std::int64_t nside, std::int64_t pixel, const std::string& fingerprint) {
  FitsFile f(path, FitsFile::Mode::kCreate);
  f.create_table("REDSHIFTS",
                 {{"TARGETID", "K", ""},
                  {"TARGET_RA", "D", "deg"},
                  {"TARGET_DEC", "D", "deg"},
                  {"Z", "D", ""},
                  {"ZERR", "D", ""},
                  {"ZWARN", "D", ""},
                  {"SPECTYPE", "6A", ""}},
                 static_cast<std::int64_t>(rows.size()));
  f.write_key("HPXNSIDE", nside, "HEALPix NSIDE");
  f.write_key("HPXPIXEL", pixel, "HEALPix pixel (nested)");
  if (!fingerprint.empty())
    f.write_key("TSFPRINT", fingerprint, "tessera input fingerprint (resume)");
  std::vector<std::int64_t> id;
  for (const auto& r : rows)
    id.push_back(r.targetid);
  f.write_column("TARGETID", id);
  auto put = [&](const char* name, double QsoRecord::*member) {
    std::vector<double> col;
    for (const auto& r : rows)
      col.push_back(r.*member);
    f.write_column(name, col);
  };
  put("TARGET_RA", &QsoRecord::ra);
  put("TARGET_DEC", &QsoRecord::dec);
  put("Z", &QsoRecord::z);
  put("ZERR", &QsoRecord::zerr);
  put("ZWARN", &QsoRecord::zwarn);
  f.write_strings("SPECTYPE", 0, std::vector<std::string>(rows.size(), "QSO"));
  f.close();
}

}  // namespace

TEST_CASE("A zafter file is byte for byte the table CFITSIO writes, TSFPRINT included",
          "[healpix][zafter]") {
  const auto dir = test::scratch_dir("healpix_zafter_bytes");
  // sample_rows(n) holds n + 1 rows: 1 row; 160 rows = 8640 bytes, exactly
  // three blocks (no fill); 161 rows; a multi-block table.
  for (std::size_t n : {0u, 159u, 160u, 999u}) {
    const auto rows = sample_rows(n);
    write_with_cfitsio(dir / "cfitsio.fits", rows, 64, 9813, "0123456789abcdef");
    const std::int64_t bytes =
        write_zafter(dir / "tessera.fits", rows, 64, 9813, "0123456789abcdef");
    const std::string want = slurp(dir / "cfitsio.fits");
    const std::string got = slurp(dir / "tessera.fits");
    CHECK(bytes == static_cast<std::int64_t>(got.size()));
    CHECK(got.size() == want.size());
    // Card by card first, so a difference names the card.
    for (std::size_t c = 0; c + 80 <= std::min<std::size_t>(5760, want.size()); c += 80)
      CHECK(got.substr(c, 80) == want.substr(c, 80));
    CHECK(got == want);
  }
}

TEST_CASE("A zafter file reads back with its values, keys and fingerprint", "[healpix][zafter]") {
  const auto dir = test::scratch_dir("healpix_zafter_read");
  const auto rows = sample_rows(37);
  write_zafter(dir / "z.fits", rows, 16, 1234, "fedcba9876543210");
  std::vector<std::string> spectype;
  const auto back = read_zafter(dir / "z.fits", &spectype);
  REQUIRE(back.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(back[i].targetid == rows[i].targetid);
    CHECK(back[i].ra == rows[i].ra);
    CHECK(back[i].dec == rows[i].dec);
    CHECK((back[i].z == rows[i].z || (std::isnan(back[i].z) && std::isnan(rows[i].z))));
    CHECK(back[i].zerr == rows[i].zerr);
    CHECK(back[i].zwarn == rows[i].zwarn);
    CHECK(spectype[i] == "QSO");
  }
  FitsFile f(dir / "z.fits", FitsFile::Mode::kRead);
  f.move_to("REDSHIFTS");
  CHECK(f.read_key_int("HPXNSIDE").value() == 16);
  CHECK(f.read_key_int("HPXPIXEL").value() == 1234);
  CHECK(f.read_key_string("TSFPRINT").value() == "fedcba9876543210");
  CHECK(f.column("SPECTYPE").repeat == 6);
}

TEST_CASE("Only a complete zafter file made with the same fingerprint is current",
          "[healpix][zafter]") {
  const auto dir = test::scratch_dir("healpix_zafter_current");
  const auto rows = sample_rows(300);
  const auto n = static_cast<std::int64_t>(rows.size());
  const auto path = dir / "z.fits";
  const std::string fp = "0011223344556677";
  CHECK_FALSE(zafter_is_current(path, n, 64, 5, fp));  // absent
  write_zafter(path, rows, 64, 5, fp);
  CHECK(zafter_is_current(path, n, 64, 5, fp));
  CHECK_FALSE(zafter_is_current(path, n, 64, 5, "0011223344556678"));  // other inputs/options
  CHECK_FALSE(zafter_is_current(path, n - 1, 64, 5, fp));              // other rows
  CHECK_FALSE(zafter_is_current(path, n, 16, 5, fp));                  // other NSIDE
  CHECK_FALSE(zafter_is_current(path, n, 64, 6, fp));                  // other pixel

  // Without the keyword (a file from before TSFPRINT, or another tool).
  write_with_cfitsio(path, rows, 64, 5, "");
  CHECK_FALSE(zafter_is_current(path, n, 64, 5, fp));

  // Truncated: the header is right but the data are not all there.
  write_zafter(path, rows, 64, 5, fp);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 2880);
  CHECK_FALSE(zafter_is_current(path, n, 64, 5, fp));
  std::filesystem::resize_file(path, 100);
  CHECK_FALSE(zafter_is_current(path, n, 64, 5, fp));

  // One changed hex digit of the recorded fingerprint.
  write_zafter(path, rows, 64, 5, fp);
  std::string bytes = slurp(path);
  const auto at = bytes.find("TSFPRINT= '");
  REQUIRE(at != std::string::npos);
  bytes[at + 11] = '9';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  CHECK_FALSE(zafter_is_current(path, n, 64, 5, fp));
}
