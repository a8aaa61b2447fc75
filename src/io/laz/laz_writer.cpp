// LAZ writing; see include/tessera/io/laz/laz_writer.hpp.
#include "tessera/io/laz/laz_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/las_writer.hpp"
#include "tessera/io/laz/layered_chunk.hpp"
#include "tessera/io/laz/pointwise_chunk.hpp"

namespace tessera::io::laz {

LaszipVlr vlr_for(const LasHeader& h, std::uint32_t chunk_size) {
  if (h.point_format > 10) {
    throw UsageError("LAZ output of point format " + std::to_string(h.point_format) +
                     " is not supported (Tessera writes LAZ for point formats 0-10)");
  }
  if (chunk_size == 0)
    throw UsageError("LAZ chunk size must be at least 1");
  if (h.point_format >= 6)
    return layered_vlr(h.point_format, h.extra_bytes_per_record(), chunk_size);
  return pointwise_vlr(h.point_format, h.extra_bytes_per_record(), chunk_size);
}

LasHeader laz_header(LasHeader h, const LaszipVlr& v) {
  std::erase_if(h.vlrs, [](const LasVlr& x) { return x.is(kLaszipUserId, kLaszipRecordId); });
  LasVlr vlr;
  vlr.user_id = kLaszipUserId;
  vlr.record_id = kLaszipRecordId;
  vlr.description = "Tessera LAZ (LASzip compatible)";
  vlr.data = encode_laszip_vlr(v);
  h.vlrs.push_back(std::move(vlr));
  h.format_byte = static_cast<std::uint8_t>(h.point_format | 0x80);
  return h;
}

std::vector<std::vector<std::uint8_t>> compress_chunks(const LaszipVlr& v,
                                                       const std::uint8_t* records,
                                                       std::uint64_t n) {
  const std::uint64_t size = v.chunk_size;
  const std::uint64_t count = (n + size - 1) / size;
  const auto len = static_cast<std::uint64_t>(v.record_length());
  std::vector<std::vector<std::uint8_t>> out(count);
  std::exception_ptr error;
  std::mutex error_mutex;
#pragma omp parallel for schedule(dynamic, 1)
  for (std::uint64_t c = 0; c < count; ++c) {
    try {
      const std::uint64_t first = c * size;
      const std::uint64_t m = std::min(size, n - first);
      out[c].reserve(m * len / 3);
      if (v.compressor == kCompressorLayeredChunked) {
        LayeredChunkEncoder enc(v.items);
        enc.encode(records + first * len, m, out[c]);
      } else {
        PointwiseChunkEncoder enc(v.items);
        enc.encode(records + first * len, m, out[c]);
      }
    } catch (...) {
      const std::lock_guard<std::mutex> lock(error_mutex);
      if (!error)
        error = std::current_exception();
    }
  }
  if (error)
    std::rethrow_exception(error);
  return out;
}

void write_laz_file(const std::filesystem::path& path, LasHeader header,
                    const std::vector<std::uint8_t>& records, std::uint32_t chunk_size) {
  if (header.record_length == 0 || records.size() % header.record_length != 0)
    throw UsageError("record buffer is not a whole number of records", path.string());
  const std::uint64_t n = records.size() / header.record_length;
  LasRecordStats stats;
  stats.add_records(LasPointLayout(header.point_format, header.record_length), records.data(), n);
  stats.apply_to(header);
  const LaszipVlr v = vlr_for(header, chunk_size);
  header = laz_header(header, v);
  std::vector<std::uint8_t> bytes = las_encode_header(header);
  bytes[104] = header.format_byte;
  const auto chunks = compress_chunks(v, records.data(), n);
  const std::size_t table_at_pos = bytes.size();
  bytes.resize(bytes.size() + 8);
  std::vector<Chunk> table;
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    Chunk e;
    e.first_point = c * std::uint64_t{v.chunk_size};
    e.points = std::min<std::uint64_t>(v.chunk_size, n - e.first_point);
    e.offset = bytes.size();
    e.bytes = chunks[c].size();
    table.push_back(e);
    bytes.insert(bytes.end(), chunks[c].begin(), chunks[c].end());
  }
  const auto table_offset = static_cast<std::int64_t>(bytes.size());
  std::memcpy(bytes.data() + table_at_pos, &table_offset, 8);
  const auto t = encode_chunk_table(table, v.variable_chunks());
  bytes.insert(bytes.end(), t.begin(), t.end());
  AtomicFile out(path, true);
  std::FILE* fp = std::fopen(out.temp_path().c_str(), "wb");
  if (fp == nullptr)
    throw IoError("cannot create: " + errno_message(errno), out.temp_path().string());
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), fp) == bytes.size();
  if (std::fclose(fp) != 0 || !written)
    throw IoError("cannot write: " + errno_message(errno), out.temp_path().string());
  out.commit();
}

}  // namespace tessera::io::laz
