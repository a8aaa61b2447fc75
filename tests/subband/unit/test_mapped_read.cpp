// Mapped visibility reads: a contiguous float32 {r, i} dataset is read from
// the mapping byte for byte; chunked and float64 datasets are not mapped (the
// reader falls back to H5Dread).
#include <complex>
#include <cstring>
#include <vector>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/io/hdf5.hpp"
#include "tessera/io/hdf5_mapped.hpp"
#include "tessera/io/uvh5_hdf5.hpp"

using namespace tessera;
using namespace tessera::io;

namespace {
std::vector<std::complex<float>> pattern(std::size_t n) {
  std::vector<std::complex<float>> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = {0.5f * static_cast<float>(i), -1.0f - static_cast<float>(i % 17)};
  return v;
}
}  // namespace

TEST_CASE("a contiguous float32 visdata is mapped byte for byte; others are not", "[subband][io]") {
  const auto dir = test::scratch_dir("mapped_read");
  const auto path = dir / "vis.h5";
  const std::vector<std::uint64_t> dims{37, 5, 2};
  const auto values = pattern(37 * 5 * 2);
  {
    File f(path, File::Mode::kCreate);
    Handle t = h5::complex_float_type();
    const Slab all{{0, 0, 0}, dims};
    Handle a = f.create_dataset("contiguous", t.id(), dims);
    f.write_slab(a.id(), t.id(), all, values.data(), "contiguous");
    Handle b = f.create_dataset("chunked", t.id(), dims, {8, 5, 2});
    f.write_slab(b.id(), t.id(), all, values.data(), "chunked");
    Handle d(H5Tcreate(H5T_COMPOUND, 16));
    H5Tinsert(d.id(), "r", 0, H5T_NATIVE_DOUBLE);
    H5Tinsert(d.id(), "i", 8, H5T_NATIVE_DOUBLE);
    Handle c = f.create_dataset("double", d.id(), dims);
    f.write_slab(c.id(), t.id(), all, values.data(), "double");  // HDF5 converts
    f.close();
  }
  File f(path, File::Mode::kRead);
  Handle t = h5::complex_float_type();
  const MappedDataset m = MappedDataset::map(f, "contiguous", t.id());
  REQUIRE(m.mapped());
  REQUIRE(m.bytes() == values.size() * sizeof(values[0]));
  CHECK(std::memcmp(m.data(), values.data(), m.bytes()) == 0);
  CHECK_FALSE(MappedDataset::map(f, "chunked", t.id()).mapped());
  CHECK_FALSE(MappedDataset::map(f, "double", t.id()).mapped());
  MappedDataset moved = MappedDataset::map(f, "contiguous", t.id());
  MappedDataset other = std::move(moved);
  CHECK_FALSE(moved.mapped());
  CHECK(other.mapped());
}
