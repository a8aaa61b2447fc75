// LAS writing with pwrite; see include/tessera/io/las_writer.hpp.
#include "tessera/io/las_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/error.hpp"

namespace tessera::io {

LasRecordFile::LasRecordFile(const std::filesystem::path& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw IoError("cannot create: " + errno_message(errno), path.string());
}

LasRecordFile::~LasRecordFile() {
  if (fd_ >= 0)
    ::close(fd_);
}

void LasRecordFile::close() {
  if (fd_ < 0)
    return;
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0)
    throw IoError("close failed: " + errno_message(errno), path_.string());
}

void LasRecordFile::pwrite_exact(std::uint64_t offset, std::uint64_t size,
                                 const std::uint8_t* data) {
  std::uint64_t done = 0;
  while (done < size) {
    ssize_t n = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      throw IoError("write failed: " + errno_message(errno), path_.string());
    }
    done += static_cast<std::uint64_t>(n);
  }
}

void LasRecordFile::write_header(const LasHeader& header) {
  for (const LasVlr& v : header.vlrs) {
    if (v.data.size() > 65535) {
      throw UsageError("VLR \"" + v.user_id + "\" payload exceeds 65535 bytes", path_.string());
    }
  }
  std::vector<std::uint8_t> bytes = las_encode_header(header);
  pwrite_exact(0, bytes.size(), bytes.data());
}

void LasRecordFile::write_records(const LasHeader& header, std::uint64_t first, std::uint64_t count,
                                  const std::uint8_t* records) {
  pwrite_exact(las_points_offset(header) + first * header.record_length,
               count * header.record_length, records);
}

void LasRecordStats::add(const LasPointLayout& layout, const std::uint8_t* r) {
  add_records(layout, r, 1);
}

void LasRecordStats::add_records(const LasPointLayout& layout, const std::uint8_t* records,
                                 std::uint64_t n) {
  std::int32_t lo[3] = {min_raw[0], min_raw[1], min_raw[2]};
  std::int32_t hi[3] = {max_raw[0], max_raw[1], max_raw[2]};
  const std::uint8_t mask = layout.legacy ? 0x07 : 0x0F;
  const std::size_t len = layout.record_length;
  for (std::uint64_t k = 0; k < n; ++k) {
    const std::uint8_t* r = records + k * len;
    for (int i = 0; i < 3; ++i) {
      const auto v = LasPointLayout::load<std::int32_t>(r, 4 * i);
      lo[i] = std::min(lo[i], v);
      hi[i] = std::max(hi[i], v);
    }
    const int ret = r[14] & mask;
    if (ret >= 1)  // 1..7 (legacy) or 1..15: return numbers 0 are not counted
      ++by_return[static_cast<std::size_t>(ret - 1)];
  }
  count += n;
  for (int i = 0; i < 3; ++i) {
    min_raw[static_cast<std::size_t>(i)] = lo[i];
    max_raw[static_cast<std::size_t>(i)] = hi[i];
  }
}

void LasRecordStats::merge(const LasRecordStats& o) {
  count += o.count;
  for (int i = 0; i < 15; ++i)
    by_return[i] += o.by_return[i];
  for (int i = 0; i < 3; ++i) {
    min_raw[i] = std::min(min_raw[i], o.min_raw[i]);
    max_raw[i] = std::max(max_raw[i], o.max_raw[i]);
  }
}

void LasRecordStats::apply_to(LasHeader& h) const {
  h.point_count = count;
  h.points_by_return = by_return;
  for (int i = 0; i < 3; ++i) {
    if (count == 0) {
      h.min[i] = h.max[i] = 0;
    } else {
      h.min[i] = min_raw[i] * h.scale[i] + h.offset[i];
      h.max[i] = max_raw[i] * h.scale[i] + h.offset[i];
    }
  }
}

void write_las_file(const std::filesystem::path& path, LasHeader header,
                    const std::vector<std::uint8_t>& records) {
  if (header.record_length == 0 || records.size() % header.record_length != 0) {
    throw UsageError("record buffer is not a whole number of records", path.string());
  }
  LasPointLayout layout(header.point_format, header.record_length);
  LasRecordStats stats;
  const std::uint64_t n = records.size() / header.record_length;
  for (std::uint64_t i = 0; i < n; ++i)
    stats.add(layout, records.data() + i * header.record_length);
  stats.apply_to(header);
  AtomicFile out(path, true);
  {
    LasRecordFile f(out.temp_path());
    f.write_header(header);
    f.write_records(header, 0, n, records.data());
    f.close();
  }
  out.commit();
}

}  // namespace tessera::io
