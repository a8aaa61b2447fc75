// See deflate_stream.hpp.
#include "tessera/io/deflate_stream.hpp"

#include <isa-l/igzip_lib.h>
#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>

#include "tessera/core/error.hpp"

namespace tessera::io {

namespace {

struct CompressorFree {
  void operator()(libdeflate_compressor* c) const noexcept { libdeflate_free_compressor(c); }
};

libdeflate_compressor* libdeflate_at(int level) {
  // One compressor per level and thread: allocating one costs more than
  // compressing a small chunk.
  thread_local std::array<std::unique_ptr<libdeflate_compressor, CompressorFree>, 13> cache;
  auto& c = cache.at(static_cast<std::size_t>(level));
  if (!c) {
    c.reset(libdeflate_alloc_compressor(level));
    if (!c)
      throw IoError("libdeflate: cannot allocate a compressor at level " + std::to_string(level));
  }
  return c.get();
}

void grow(std::vector<std::uint8_t>& out, std::size_t n) {
  if (out.size() < n)
    out.resize(n);
}

std::size_t libdeflate_zlib(std::span<const std::uint8_t> raw, int level,
                            std::vector<std::uint8_t>& out) {
  libdeflate_compressor* z = libdeflate_at(level);
  grow(out, libdeflate_zlib_compress_bound(z, raw.size()));
  const std::size_t n = libdeflate_zlib_compress(z, raw.data(), raw.size(), out.data(), out.size());
  if (n == 0)
    throw IoError("libdeflate could not compress " + std::to_string(raw.size()) + " bytes");
  return n;
}

// igzip's stateless compressor: the whole buffer in one call, zlib wrapper
// (IGZIP_ZLIB), with the level-1 hash buffer kept per thread. It stops with
// STATELESS_OVERFLOW when `out` is too small; incompressible data then goes
// through libdeflate, whose bound is exact.
std::size_t igzip_zlib(std::span<const std::uint8_t> raw, std::vector<std::uint8_t>& out) {
  thread_local std::vector<std::uint8_t> level_buf(ISAL_DEF_LVL1_DEFAULT);
  // Stored blocks add 5 bytes per 64 KiB (RFC 1951 3.2.4), the wrapper 6.
  grow(out, raw.size() + raw.size() / 8192 + 1024);
  isal_zstream s;
  isal_deflate_stateless_init(&s);
  s.level = 1;
  s.level_buf = level_buf.data();
  s.level_buf_size = static_cast<std::uint32_t>(level_buf.size());
  s.gzip_flag = IGZIP_ZLIB;
  s.next_in = const_cast<std::uint8_t*>(raw.data());  // igzip's API is not const-correct
  s.avail_in = static_cast<std::uint32_t>(raw.size());
  s.next_out = out.data();
  s.avail_out = static_cast<std::uint32_t>(out.size());
  s.end_of_stream = 1;
  s.flush = NO_FLUSH;
  const int rc = isal_deflate_stateless(&s);
  if (rc == STATELESS_OVERFLOW)
    return 0;
  if (rc != COMP_OK)
    throw IoError("ISA-L igzip could not compress " + std::to_string(raw.size()) +
                  " bytes (error " + std::to_string(rc) + ")");
  return s.total_out;
}

}  // namespace

std::size_t deflate_zlib(std::span<const std::uint8_t> raw, int level,
                         std::vector<std::uint8_t>& out) {
  if (level < 1 || level > 9)
    throw UsageError("deflate level must be 1..9, not " + std::to_string(level));
  // igzip's stateless call takes 32-bit lengths; 0 = its output bound was
  // too small (incompressible data), left to libdeflate's exact bound.
  if (level == 1 && raw.size() < (std::size_t{1} << 31)) {
    if (const std::size_t n = igzip_zlib(raw, out); n > 0)
      return n;
  }
  return libdeflate_zlib(raw, level, out);
}

void shuffle_bytes(std::span<const std::uint8_t> raw, std::size_t elem_size,
                   std::vector<std::uint8_t>& out) {
  out.resize(raw.size());
  const std::size_t n = elem_size == 0 ? 0 : raw.size() / elem_size;
  if (elem_size <= 1 || n <= 1) {
    std::copy(raw.begin(), raw.end(), out.begin());
    return;
  }
  for (std::size_t k = 0; k < elem_size; ++k) {
    std::uint8_t* plane = out.data() + k * n;
    const std::uint8_t* src = raw.data() + k;
    for (std::size_t i = 0; i < n; ++i)
      plane[i] = src[i * elem_size];
  }
  std::copy(raw.begin() + static_cast<std::ptrdiff_t>(n * elem_size), raw.end(),
            out.begin() + static_cast<std::ptrdiff_t>(n * elem_size));
}

}  // namespace tessera::io
