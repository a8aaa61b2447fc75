// The pieces of the NetCDF-4 writer that compresses whole chunks on every
// rank: which chunks a put covers, copying one out of the put's buffer (edge
// chunks padded), HDF5's shuffle, and the deflate streams, which an
// independent inflate (libdeflate's decompressor) must read back.
#include <libdeflate.h>

#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "support/catch.hpp"
#include "tessera/io/deflate_stream.hpp"
#include "tessera/io/slab_chunks.hpp"

using namespace tessera::io;

TEST_CASE("chunk alignment of a slab", "[nc][chunks]") {
  const SlabIndex dims{10, 500, 600}, chunk{1, 500, 512};
  CHECK(slab_is_chunk_aligned({0, 0, 0}, {10, 500, 600}, chunk, dims));
  CHECK(slab_is_chunk_aligned({3, 0, 0}, {2, 500, 600}, chunk, dims));
  CHECK(slab_is_chunk_aligned({3, 0, 512}, {1, 500, 88}, chunk, dims));       // the edge chunk
  CHECK_FALSE(slab_is_chunk_aligned({3, 0, 0}, {1, 500, 300}, chunk, dims));  // half a chunk
  CHECK_FALSE(slab_is_chunk_aligned({3, 0, 100}, {1, 500, 500}, chunk, dims));
  CHECK_FALSE(slab_is_chunk_aligned({9, 0, 0}, {2, 500, 600}, chunk, dims));  // past the end
  CHECK_FALSE(slab_is_chunk_aligned({0, 0}, {1, 1}, chunk, dims));            // wrong rank
}

TEST_CASE("chunks of a slab and their contents against element-by-element copies", "[nc][chunks]") {
  const SlabIndex dims{7, 13, 11}, chunk{2, 5, 4};
  const SlabIndex start{2, 0, 4}, count{5, 13, 7};  // ends at the array's end on axes 0-2
  REQUIRE(slab_is_chunk_aligned(start, count, chunk, dims));
  std::vector<float> slab(static_cast<std::size_t>(count[0] * count[1] * count[2]));
  std::iota(slab.begin(), slab.end(), 1.0f);
  const auto origins = slab_chunk_origins(start, count, chunk);
  // ceil(5/2) x ceil(13/5) x ceil(7/4) chunks, the last axis fastest.
  REQUIRE(origins.size() == 3u * 3u * 2u);
  CHECK(origins.front() == SlabIndex{2, 0, 4});
  CHECK(origins[1] == SlabIndex{2, 0, 8});
  CHECK(origins[2] == SlabIndex{2, 5, 4});
  CHECK(origins.back() == SlabIndex{6, 10, 8});
  std::vector<std::uint8_t> out;
  for (const auto& o : origins) {
    copy_chunk_from_slab(reinterpret_cast<const std::uint8_t*>(slab.data()), start, count, o, chunk,
                         sizeof(float), out);
    REQUIRE(out.size() == 2u * 5u * 4u * sizeof(float));
    for (std::int64_t a = 0; a < chunk[0]; ++a)
      for (std::int64_t b = 0; b < chunk[1]; ++b)
        for (std::int64_t c = 0; c < chunk[2]; ++c) {
          float got = 0;
          std::memcpy(&got, out.data() + ((a * chunk[1] + b) * chunk[2] + c) * sizeof(float),
                      sizeof got);
          const std::int64_t i = o[0] + a - start[0], j = o[1] + b - start[1],
                             k = o[2] + c - start[2];
          const bool inside = i < count[0] && j < count[1] && k < count[2];
          const float want =
              inside ? slab[static_cast<std::size_t>((i * count[1] + j) * count[2] + k)] : 0.0f;
          REQUIRE(got == want);
        }
  }
}

TEST_CASE("shuffle puts byte k of every element together, as HDF5's filter does", "[nc][chunks]") {
  const std::vector<std::uint8_t> raw{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 99};
  std::vector<std::uint8_t> out;
  shuffle_bytes(raw, 4, out);
  CHECK(out == std::vector<std::uint8_t>{1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12, 99});
}

TEST_CASE("deflate streams of every level inflate to the input", "[nc][chunks]") {
  std::mt19937 rng(20);
  std::vector<std::uint8_t> gridded(1 << 20), noise(100000), empty;
  // Cluster values repeated along rows (what raster grid writes) ...
  std::vector<float> values(64);
  for (auto& v : values)
    v = std::uniform_real_distribution<float>(0, 300)(rng);
  for (std::size_t i = 0; i < gridded.size() / 4; ++i) {
    const float v = values[(i / 37) % values.size()];
    std::memcpy(gridded.data() + 4 * i, &v, 4);
  }
  // ... and bytes that do not compress (igzip's output bound is then exceeded).
  for (auto& b : noise)
    b = static_cast<std::uint8_t>(rng());
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  for (const auto* input : {&gridded, &noise, &empty}) {
    for (int level : {1, 2, 5, 9}) {
      std::vector<std::uint8_t> z(7, 0xab), back(input->size() + 1);  // reused, too small
      const std::size_t len = deflate_zlib(*input, level, z);
      REQUIRE(len <= z.size());
      std::size_t n = 0;
      REQUIRE(libdeflate_zlib_decompress(d, z.data(), len, back.data(), back.size(), &n) ==
              LIBDEFLATE_SUCCESS);
      back.resize(n);
      REQUIRE(back == *input);
      if (input == &gridded)
        CHECK(len < input->size() / 10);
    }
  }
  libdeflate_free_decompressor(d);
  std::vector<std::uint8_t> z;
  CHECK_THROWS(deflate_zlib(gridded, 0, z));
  CHECK_THROWS(deflate_zlib(gridded, 10, z));
}
