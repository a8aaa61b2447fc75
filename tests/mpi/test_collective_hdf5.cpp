#include <filesystem>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/atomic_file.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/io/hdf5.hpp"

using namespace tessera;
namespace fs = std::filesystem;

TEST_CASE("A collective atomic HDF5 write is collective, whole and renamed once", "[hdf5]") {
  const Comm world = Comm::world();
  const fs::path dir = test::scratch_dir("collective-hdf5-" + std::to_string(world.size()));
  const fs::path target = dir / "shared.h5";
  if (world.is_root())
    fs::remove(target);
  world.barrier();
  const std::int64_t n = 1000;
  {
    CollectiveAtomicFile file(world, target);
    io::File h5(file.temp_path(), io::File::Mode::kCreate, world);
    auto ds = h5.create_dataset("x", H5T_IEEE_F64LE, {std::uint64_t(n)});
    const auto mine = block_range(n, world.size(), world.rank());
    std::vector<double> data;
    for (auto i = mine.begin; i < mine.end; ++i)
      data.push_back(double(i) * 0.5);
    h5.write_slab(ds.id(), H5T_NATIVE_DOUBLE,
                  {{std::uint64_t(mine.begin)}, {std::uint64_t(mine.size())}}, data.data(), "x");
    // H5Pget_mpio_no_collective_cause reports 0 (collective) on every rank.
    CHECK(h5.last_io_was_collective());
    CHECK(h5.last_no_collective_cause() == 0);
    CHECK_FALSE(fs::exists(target));  // not visible before commit
    ds = io::Handle();
    h5.close();
    file.commit(true);
  }
  REQUIRE(fs::exists(target));
  if (world.is_root()) {
    io::File h5(target, io::File::Mode::kRead);
    CHECK(h5.dims("x") == std::vector<std::uint64_t>{std::uint64_t(n)});
    std::vector<double> back(n);
    auto ds = h5.open_dataset("x");
    h5.read_slab(ds.id(), H5T_NATIVE_DOUBLE, {{0}, {std::uint64_t(n)}}, back.data(), "x");
    for (std::int64_t i = 0; i < n; ++i)
      CHECK(back[std::size_t(i)] == double(i) * 0.5);
  }
}

TEST_CASE("A rank with nothing to write joins the collective write with an empty slab", "[hdf5]") {
  const Comm world = Comm::world();
  const fs::path dir = test::scratch_dir("collective-hdf5-empty-" + std::to_string(world.size()));
  const fs::path target = dir / "partial-ranks.h5";
  {
    CollectiveAtomicFile file(world, target);
    io::File h5(file.temp_path(), io::File::Mode::kCreate, world);
    auto ds = h5.create_dataset("y", H5T_NATIVE_INT, {3});
    std::vector<int> data{7, 8, 9};
    if (world.is_root()) {
      h5.write_slab(ds.id(), H5T_NATIVE_INT, {{0}, {3}}, data.data(), "y");
    } else {
      h5.write_slab(ds.id(), H5T_NATIVE_INT, {{0}, {0}}, nullptr, "y");
    }
    ds = io::Handle();
    h5.close();
    file.commit(true);
  }
  if (world.is_root()) {
    io::File h5(target, io::File::Mode::kRead);
    std::vector<int> back(3);
    auto ds = h5.open_dataset("y");
    h5.read_slab(ds.id(), H5T_NATIVE_INT, {{0}, {3}}, back.data(), "y");
    CHECK(back == std::vector<int>{7, 8, 9});
  }
}

TEST_CASE("A failed part leaves no shared file under the final name", "[hdf5][atomic]") {
  const Comm world = Comm::world();
  const fs::path dir = test::scratch_dir("collective-hdf5-fail-" + std::to_string(world.size()));
  const fs::path target = dir / "never.h5";
  fs::path temp;
  {
    CollectiveAtomicFile file(world, target);
    temp = file.temp_path();
    io::File h5(file.temp_path(), io::File::Mode::kCreate, world);
    h5.close();
    const bool ok = world.rank() != world.size() - 1;
    CHECK_THROWS(file.commit(ok));
  }
  world.barrier();
  CHECK_FALSE(fs::exists(target));
  CHECK_FALSE(fs::exists(temp));
}

TEST_CASE("Opening a missing HDF5 file names it", "[hdf5]") {
  try {
    io::File h5("/nonexistent/dir/file.h5", io::File::Mode::kRead);
    FAIL("no error");
  } catch (const IoError& e) {
    CHECK(std::string(e.what()).find("/nonexistent/dir/file.h5") != std::string::npos);
  }
}
