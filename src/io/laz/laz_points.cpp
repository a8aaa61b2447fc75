// LAZ point records by chunk; see include/tessera/io/laz/laz_points.hpp.
#include "tessera/io/laz/laz_points.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <mutex>

#include "tessera/core/error.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/laz/layered_chunk.hpp"
#include "tessera/io/laz/pointwise_chunk.hpp"

namespace tessera::io::laz {

const LasVlr* find_laszip_vlr(const LasHeader& h) {
  for (const LasVlr& v : h.vlrs) {
    if (v.is(kLaszipUserId, kLaszipRecordId))
      return &v;
  }
  return nullptr;
}

LazPoints::LazPoints(int fd, std::uint64_t file_size, const LasHeader& h, std::string file)
    : fd_(fd),
      file_(std::move(file)),
      record_length_(h.record_length),
      points_offset_(h.offset_to_points) {
  const LasVlr* raw = find_laszip_vlr(h);
  if (raw == nullptr) {
    throw FormatError(
        "LAZ: the point format is marked compressed (bits 6-7 of byte 104) but there is no "
        "laszip VLR (user \"laszip encoded\", record 22204)",
        file_, "header");
  }
  vlr_ = parse_laszip_vlr(raw->data, file_);
  require_decodable(vlr_, h.point_format, h.record_length, file_);
  if (vlr_.compressor == kCompressorPointwise) {
    // Compressor 1 (point-wise, not chunked): no chunk table offset, no
    // table; the raw first record and one coder stream hold every point,
    // up to the EVLRs (or internal waveforms) or the end of the file.
    std::uint64_t end = file_size;
    for (std::uint64_t at : {h.evlr_start, h.waveform_start}) {
      if (at > points_offset_ && at < end)
        end = at;
    }
    // Without a table nothing bounds the header's count but the stream's
    // size: more than 1000 times compression (real files reach 5-15) is
    // taken as a corrupt count, before anything is allocated for it.
    const std::uint64_t bytes = end - points_offset_;
    const std::uint64_t most = 1 + bytes * 1000 / static_cast<std::uint64_t>(h.record_length);
    if (h.point_count > most) {
      throw FormatError("LAZ: compressor 1: the header's " + std::to_string(h.point_count) +
                            " points cannot be in " + std::to_string(bytes) +
                            " bytes of point data (more than 1000 times compression; point "
                            "count corrupt?)",
                        file_, "point data");
    }
    if (h.point_count > 0)
      chunks_.push_back({0, h.point_count, points_offset_, bytes});
    table_end_ = end;
    return;
  }

  // The i64 before the chunks: where the table is (-1: in the last 8 bytes).
  if (points_offset_ + 8 > file_size) {
    throw FormatError("LAZ: the file ends before the chunk table offset at byte " +
                          std::to_string(points_offset_) + " (file truncated?)",
                      file_, "point data");
  }
  std::int64_t table = 0;
  pread_exact(points_offset_, 8, reinterpret_cast<std::uint8_t*>(&table), "chunk table offset");
  if (table == -1 && file_size >= points_offset_ + 16)
    pread_exact(file_size - 8, 8, reinterpret_cast<std::uint8_t*>(&table), "chunk table offset");
  const std::uint64_t data_start = points_offset_ + 8;
  if (table < static_cast<std::int64_t>(data_start) ||
      static_cast<std::uint64_t>(table) > file_size) {
    throw FormatError("LAZ: corrupt chunk table: its offset " + std::to_string(table) +
                          " lies outside the point data [" + std::to_string(data_start) + ", " +
                          std::to_string(file_size) + "] (file truncated?)",
                      file_, "chunk table");
  }
  const auto table_offset = static_cast<std::uint64_t>(table);
  std::vector<std::uint8_t> bytes(file_size - table_offset);
  pread_exact(table_offset, bytes.size(), bytes.data(), "chunk table");
  ChunkTableLayout layout;
  layout.chunk_size = vlr_.chunk_size;
  layout.data_start = data_start;
  layout.table_offset = table_offset;
  layout.point_count = h.point_count;
  layout.record_length = h.record_length;
  chunks_ = decode_chunk_table(bytes.data(), bytes.size(), layout, file_);
  table_end_ = file_size;
}

std::uint64_t LazPoints::compressed_bytes() const {
  return table_end_ - points_offset_;
}

void LazPoints::pread_exact(std::uint64_t offset, std::uint64_t size, std::uint8_t* out,
                            const std::string& what) const {
  std::uint64_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd_, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      throw IoError("read failed: " + errno_message(errno), file_, what);
    }
    if (n == 0) {
      throw FormatError(
          "unexpected end of file at byte " + std::to_string(offset + done) + " (file truncated?)",
          file_, what);
    }
    done += static_cast<std::uint64_t>(n);
  }
}

void LazPoints::decode_chunk(std::size_t c, std::uint8_t* out) const {
  const Chunk& ch = chunks_[c];
  std::vector<std::uint8_t> bytes(ch.bytes);
  pread_exact(ch.offset, ch.bytes, bytes.data(), "chunk " + std::to_string(c));
  if (vlr_.compressor == kCompressorLayeredChunked) {
    LayeredChunkDecoder dec(vlr_.items);
    dec.decode(bytes.data(), bytes.size(), ch.points, out, file_, c);
  } else {
    PointwiseChunkDecoder dec(vlr_.items);
    dec.decode(bytes.data(), bytes.size(), ch.points, out, file_, c);
  }
}

void LazPoints::read(std::uint64_t first, std::uint64_t count, std::uint8_t* out) const {
  if (count == 0)
    return;
  // Its own region: the decoding's share of a step's read (docs/performance.md).
  const perf::Region region("decode");
  const std::size_t c0 = chunk_of(chunks_, first);
  const std::size_t c1 = chunk_of(chunks_, first + count - 1);
  const auto len = static_cast<std::uint64_t>(record_length_);
  // The error of the first failing chunk is reported, whichever thread
  // met it first: the same message at any thread count.
  std::exception_ptr error;
  std::size_t error_chunk = SIZE_MAX;
  std::mutex error_mutex;
  // Chunks are independent: each thread decodes whole chunks, straight into
  // `out` when the range holds the chunk whole, else into a scratch copy.
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t c = c0; c <= c1; ++c) {
    try {
      const Chunk& ch = chunks_[c];
      const std::uint64_t lo = std::max(first, ch.first_point);
      const std::uint64_t hi = std::min(first + count, ch.first_point + ch.points);
      std::uint8_t* dst = out + (lo - first) * len;
      if (lo == ch.first_point && hi == ch.first_point + ch.points) {
        decode_chunk(c, dst);
      } else {
        std::vector<std::uint8_t> whole(ch.points * len);
        decode_chunk(c, whole.data());
        std::memcpy(dst, whole.data() + (lo - ch.first_point) * len, (hi - lo) * len);
      }
    } catch (...) {
      const std::lock_guard<std::mutex> lock(error_mutex);
      if (c < error_chunk) {
        error = std::current_exception();
        error_chunk = c;
      }
    }
  }
  if (error)
    std::rethrow_exception(error);
}

}  // namespace tessera::io::laz
