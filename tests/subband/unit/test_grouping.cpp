// Subband file names and grouping by timestamp within a tolerance.
#include "support/catch.hpp"
#include "tessera/subband/grouping.hpp"

using namespace tessera::subband;

TEST_CASE("subband names parse and incomplete files are ignored", "[subband][grouping]") {
  auto f = parse_subband_name("/d/2022-06-01T03:00:02_sb07.hdf5");
  REQUIRE(f);
  CHECK(f->subband == 7);
  CHECK(f->stamp == "2022-06-01T03:00:02");
  CHECK(format_stamp(f->unix_seconds) == "2022-06-01T03:00:02");
  CHECK_FALSE(parse_subband_name("/d/2022-06-01T03:00:02_sb07_incomplete.hdf5"));
  CHECK_FALSE(parse_subband_name("/d/2022-06-01T03:00:02_sb16.hdf5"));
  CHECK_FALSE(parse_subband_name("/d/notes.txt"));
  CHECK_FALSE(parse_stamp("2022-13-01T03:00:02"));
  // 2000-01-01T12:00:00 UTC is JD 2451545.0
  CHECK(unix_to_jd(*parse_stamp("2000-01-01T12:00:00")) == Approx(2451545.0).epsilon(1e-12));
}

TEST_CASE("files within the tolerance form one group, later ones the next", "[subband][grouping]") {
  std::vector<SubbandFile> files;
  for (int sb = 0; sb < 16; ++sb) {
    files.push_back(*parse_subband_name("2022-06-01T03:00:0" + std::to_string(sb % 5) + "_sb" +
                                        (sb < 10 ? "0" : "") + std::to_string(sb) + ".hdf5"));
  }
  for (int sb = 0; sb < 15; ++sb) {  // second group lacks sb15
    files.push_back(*parse_subband_name("2022-06-01T03:05:0" + std::to_string(sb % 3) + "_sb" +
                                        (sb < 10 ? "0" : "") + std::to_string(sb) + ".hdf5"));
  }
  const auto groups = group_subbands(files, 60.0);
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].stamp == "2022-06-01T03:00:00");
  CHECK(groups[0].complete());
  CHECK(groups[1].files.size() == 15);
  CHECK_FALSE(groups[1].complete());
  CHECK(groups[1].missing() == std::vector<int>{15});
  // A tolerance shorter than the jitter splits a group.
  CHECK(group_subbands(files, 2.0).size() > 2);
}

TEST_CASE("a subband seen twice in a group makes the group unusable", "[subband][grouping]") {
  std::vector<SubbandFile> files;
  for (int sb = 0; sb < 16; ++sb) {
    files.push_back(*parse_subband_name("2022-06-01T03:00:00_sb" + std::string(sb < 10 ? "0" : "") +
                                        std::to_string(sb) + ".hdf5"));
  }
  files.push_back(*parse_subband_name("2022-06-01T03:00:04_sb03.hdf5"));
  const auto groups = group_subbands(files, 60.0);
  REQUIRE(groups.size() == 1);
  CHECK(groups[0].files.size() == 16);
  REQUIRE(groups[0].duplicates.size() == 1);
  CHECK(groups[0].duplicates[0].find("sb03") != std::string::npos);
  CHECK_FALSE(groups[0].complete());
}
