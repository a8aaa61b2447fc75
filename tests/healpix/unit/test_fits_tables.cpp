// FITS wrapper and the pipeline's tables: round trips, row ranges, and bad
// input naming the file and the field.
#include <filesystem>
#include <fstream>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/error.hpp"
#include "tessera/healpix/bal_tables.hpp"
#include "tessera/healpix/pca_templates.hpp"
#include "tessera/io/fits_file.hpp"

using namespace tessera;
using io::FitsFile;

TEST_CASE("FITS tables round-trip typed, vector and string columns with row ranges",
          "[healpix][fits]") {
  const auto dir = test::scratch_dir("healpix_fits_roundtrip");
  const auto path = dir / "t.fits";
  {
    FitsFile f(path, FitsFile::Mode::kCreate);
    f.create_table("DATA", {{"ID", "K", ""}, {"X", "D", ""}, {"V", "3E", ""}, {"S", "4A", ""}}, 5);
    f.write_column("ID", std::vector<std::int64_t>{1, 2, 3, 4, 39627000000000001});
    f.write_column("X", std::vector<double>{0.5, 1.5, 2.5, 3.5, 4.5});
    std::vector<float> v(15);
    for (int i = 0; i < 15; ++i)
      v[static_cast<std::size_t>(i)] = static_cast<float>(i);
    f.write_column("V", 0, v.data(), 15);
    f.write_strings("S", 0, {"QSO", "GAL", "STAR", "QSO", "X"});
    f.write_key("NSIDE", std::int64_t{64});
    f.close();
  }
  FitsFile f(path, FitsFile::Mode::kRead);
  f.move_to("DATA");
  CHECK(f.num_rows() == 5);
  CHECK(f.read_column<std::int64_t>("ID")[4] == 39627000000000001);
  CHECK(f.read_column<double>("X", 2, 2) == std::vector<double>{2.5, 3.5});
  CHECK(f.read_column<double>("V", 1, 1) == std::vector<double>{3, 4, 5});
  CHECK(f.read_strings("S", 1, 3) == std::vector<std::string>{"GAL", "STAR", "QSO"});
  CHECK(f.read_key_int("NSIDE").value() == 64);
  CHECK_FALSE(f.read_key_int("ABSENT").has_value());
  CHECK(f.column("V").repeat == 3);
  try {
    f.read_column<double>("TARGET_RA");
    FAIL("no error");
  } catch (const FormatError& e) {
    const std::string m = e.what();
    CHECK(m.find("t.fits") != std::string::npos);
    CHECK(m.find("TARGET_RA") != std::string::npos);
    CHECK(m.find("DATA") != std::string::npos);
  }
  CHECK_THROWS_AS(f.move_to("NOPE"), FormatError);
}

TEST_CASE("A truncated FITS file gives an error naming the file", "[healpix][fits]") {
  const auto dir = test::scratch_dir("healpix_fits_truncated");
  const auto path = dir / "t.fits";
  {
    FitsFile f(path, FitsFile::Mode::kCreate);
    f.create_table("DATA", {{"X", "D", ""}}, 2000);
    f.write_column("X", std::vector<double>(2000, 1.0));
    f.close();
  }
  std::filesystem::resize_file(path, 2880 * 2 + 100);
  try {
    FitsFile f(path, FitsFile::Mode::kRead);
    f.move_to("DATA");
    f.read_column<double>("X");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("t.fits") != std::string::npos);
  }
  std::ofstream(dir / "junk.fits") << "not a fits file at all";
  CHECK_THROWS_AS(FitsFile(dir / "junk.fits", FitsFile::Mode::kRead), FormatError);
  CHECK_THROWS_AS(FitsFile(dir / "absent.fits", FitsFile::Mode::kRead), IoError);
}

TEST_CASE("A baltable round-trips with the spec's columns and TFORMs", "[healpix][fits]") {
  using namespace tessera::healpix;
  const auto dir = test::scratch_dir("healpix_baltable");
  BalResult r;
  r.pca_coeffs = {1, 2, 3, 4};
  r.pca_chi2 = 1.25;
  for (TroughSet* t : {&r.bi_civ, &r.ai_civ, &r.bi_siiv, &r.ai_siiv}) {
    const std::size_t m = (t == &r.ai_civ || t == &r.ai_siiv) ? 17 : 5;
    t->vmin.assign(m, -1);
    t->vmax.assign(m, -1);
    t->posmin.assign(m, -1);
    t->fmin.assign(m, -1);
  }
  r.bi_civ = {1234.5,
              10.0,
              1,
              {4000, -1, -1, -1, -1},
              {9000, -1, -1, -1, -1},
              {6000, -1, -1, -1, -1},
              {0.3, -1, -1, -1, -1}};
  write_baltable(dir / "b.fits", {{42, 10.0, 20.0, 2.5, 0.001, 0}}, {r}, 4, "/x/PCA.fits");
  const BalTable t = read_baltable(dir / "b.fits");
  CHECK(t.ncomp == 4);
  CHECK(t.template_file == "PCA.fits");
  REQUIRE(t.qso.size() == 1);
  CHECK(t.qso[0].targetid == 42);
  const auto cols = bal_columns(4);
  CHECK(cols.front().name == "PCA_COEFFS");
  CHECK(cols.front().tform == "4E");
  CHECK(cols.back().name == "SNR_FOREST");
  std::size_t bi = 0;
  while (cols[bi].name != "BI_CIV")
    ++bi;
  CHECK(t.bal.values[bi][0] == Approx(1234.5));
  CHECK(cols[bi + 2].name == "NCIV_2000");
  CHECK(cols[bi + 2].tform == "J");
  CHECK(cols[bi + 3].name == "VMIN_CIV_2000");
  CHECK(cols[bi + 3].tform == "5E");
  CHECK(t.bal.values[bi + 3][0] == Approx(4000));
  CHECK(t.bal.values[bi + 3][1] == -1.0);
}

TEST_CASE("A template file with wrong columns is refused naming the file and column",
          "[healpix][fits]") {
  const auto dir = test::scratch_dir("healpix_bad_templates");
  {
    FitsFile f(dir / "t.fits", FitsFile::Mode::kCreate);
    f.create_table("T", {{"WAVE", "D", ""}, {"EIGEN0", "D", ""}}, 3);
    f.write_column("WAVE", std::vector<double>{1, 2, 3});
    f.close();
  }
  try {
    healpix::read_pca_templates(dir / "t.fits");
    FAIL("no error");
  } catch (const FormatError& e) {
    CHECK(std::string(e.what()).find("t.fits") != std::string::npos);
    CHECK(std::string(e.what()).find("PCA0") != std::string::npos);
  }
}
