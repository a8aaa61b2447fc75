// MPI-IO hints reach MPI_File_open from all three libraries Tessera writes
// shared files with: PnetCDF (CDF-5), netcdf-c's parallel API (NetCDF-4) and
// HDF5's MPI-IO driver. The test defines MPI_File_open itself (the MPI
// profiling interface, MPI 3.1 14.2): the libraries' calls bind to this
// definition (the executable exports it), which records the hints it was
// given and passes the call on to PMPI_File_open.
#include <mpi.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/mpiio_hints.hpp"
#include "tessera/io/hdf5.hpp"
#include "tessera/io/nc_file.hpp"

namespace {
// The last file opened and the hints it was opened with.
std::string g_file;
std::map<std::string, std::string> g_hints;
// The same keys as MPI_File_get_info reports them on the opened file.
std::map<std::string, std::string> g_used;

std::map<std::string, std::string> read_info(MPI_Info info) {
  std::map<std::string, std::string> out;
  if (info == MPI_INFO_NULL)
    return out;
  int n = 0;
  MPI_Info_get_nkeys(info, &n);
  for (int i = 0; i < n; ++i) {
    char key[MPI_MAX_INFO_KEY + 1] = {0};
    MPI_Info_get_nthkey(info, i, key);
    char value[MPI_MAX_INFO_VAL + 1] = {0};
    int flag = 0;
    MPI_Info_get(info, key, MPI_MAX_INFO_VAL, value, &flag);
    if (flag != 0)
      out[key] = value;
  }
  return out;
}
}  // namespace

extern "C" int MPI_File_open(MPI_Comm comm, const char* filename, int amode, MPI_Info info,
                             MPI_File* fh) {
  g_file = filename;
  g_hints = read_info(info);
  const int rc = PMPI_File_open(comm, filename, amode, info, fh);
  g_used.clear();
  MPI_Info used = MPI_INFO_NULL;
  if (rc == MPI_SUCCESS && PMPI_File_get_info(*fh, &used) == MPI_SUCCESS) {
    g_used = read_info(used);
    MPI_Info_free(&used);
  }
  return rc;
}

using namespace tessera;
namespace fs = std::filesystem;

namespace {

void create_each(const fs::path& dir, const std::string& tag) {
  const Comm world = Comm::world();
  {
    auto nc = io::NcFile::create(world.handle(), dir / (tag + ".cdf5.nc"),
                                 {io::NcFormat::kCdf5, 0, false});
    nc.def_dim("x", 4);
    nc.enddef();
    nc.close();
  }
  CHECK(g_file.find(tag + ".cdf5.nc") != std::string::npos);
}

}  // namespace

TEST_CASE("MPI-IO hints reach MPI_File_open from PnetCDF, netcdf-c and HDF5", "[hints]") {
  const Comm world = Comm::world();
  const fs::path dir = test::scratch_dir("mpiio-hints-" + std::to_string(world.size()));
  ::setenv("TESSERA_MPIIO_HINTS", "striping_factor=4;cb_buffer_size=8388608", 1);
  set_mpiio_hints({"striping_unit=1048576", "cb_buffer_size=4194304"});  // the option wins
  const std::map<std::string, std::string> want = {
      {"striping_factor", "4"}, {"striping_unit", "1048576"}, {"cb_buffer_size", "4194304"}};
  auto has_all = [&](const std::map<std::string, std::string>& got) {
    for (const auto& [k, v] : want) {
      auto it = got.find(k);
      if (it == got.end() || it->second != v)
        return false;
    }
    return true;
  };

  SECTION("PnetCDF (CDF-5)") {
    create_each(dir, "hinted");
    CHECK(has_all(g_hints));
    // The MPI-IO layer keeps at least the collective-buffering hint.
    INFO("MPI_File_get_info: " << g_used.size() << " keys");
    CHECK(g_used.count("cb_buffer_size") == 1);
  }
  SECTION("netcdf-c (NetCDF-4 on parallel HDF5)") {
    auto nc = io::NcFile::create(world.handle(), dir / "hinted.nc4.nc", {});
    nc.def_dim("x", 4);
    nc.enddef();
    nc.close();
    CHECK(g_file.find("hinted.nc4.nc") != std::string::npos);
    CHECK(has_all(g_hints));
  }
  SECTION("HDF5 (io::File, the UVH5 writers)") {
    io::File h5(dir / "hinted.h5", io::File::Mode::kCreate, world);
    CHECK(g_file.find("hinted.h5") != std::string::npos);
    CHECK(has_all(g_hints));
  }
  SECTION("no hints: MPI_INFO_NULL, as before") {
    ::unsetenv("TESSERA_MPIIO_HINTS");
    set_mpiio_hints({});
    create_each(dir, "plain");
    CHECK(g_hints.count("striping_factor") == 0);
    CHECK(g_hints.count("cb_buffer_size") == 0);
  }
  ::unsetenv("TESSERA_MPIIO_HINTS");
  set_mpiio_hints({});
}

TEST_CASE("MPI-IO hints parse KEY=VALUE pairs and refuse anything else", "[hints]") {
  const auto h = parse_mpiio_hints(
      " striping_factor = 8 ;striping_unit=4194304;;\ncb_nodes=2;"
      "striping_factor=16",
      "test");
  REQUIRE(h.size() == 3);
  CHECK(h[0] == std::pair<std::string, std::string>{"striping_factor", "16"});
  CHECK(h[1].second == "4194304");
  CHECK(h[2].first == "cb_nodes");
  CHECK_THROWS_AS(parse_mpiio_hints("striping_factor", "test"), UsageError);
  CHECK_THROWS_AS(parse_mpiio_hints("=3", "test"), UsageError);
  CHECK_THROWS_AS(parse_mpiio_hints("a=", "test"), UsageError);
  CHECK_THROWS_AS(set_mpiio_hints({"novalue"}), UsageError);
  CHECK(parse_mpiio_hints("", "test").empty());
}
