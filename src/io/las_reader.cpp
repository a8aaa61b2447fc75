// LAS reading with validation and pread; see include/tessera/io/las_reader.hpp.
#include "tessera/io/las_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <utility>

#include "tessera/core/error.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/io/laz/laz_points.hpp"

namespace tessera::io {

namespace {

template <typename T>
T get(const std::uint8_t* p, std::size_t at) {
  T v;
  std::memcpy(&v, p + at, sizeof v);
  return v;
}

std::string text_of(const std::uint8_t* p, std::size_t width) {
  std::size_t n = 0;
  while (n < width && p[n] != 0)
    ++n;
  return std::string(reinterpret_cast<const char*>(p), n);
}

}  // namespace

LasReader::LasReader(const std::filesystem::path& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0)
    throw IoError("cannot open: " + errno_message(errno), path.string());
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    int err = errno;
    ::close(fd_);
    throw IoError("cannot stat: " + errno_message(err), path.string());
  }
  file_size_ = static_cast<std::uint64_t>(st.st_size);
  try {
    parse();
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

LasReader::~LasReader() {
  if (fd_ >= 0)
    ::close(fd_);
}

LasReader::LasReader(LasReader&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      file_size_(other.file_size_),
      header_(std::move(other.header_)),
      laz_(std::move(other.laz_)) {}

void LasReader::pread_exact(std::uint64_t offset, std::uint64_t size, std::uint8_t* out,
                            const char* what) const {
  std::uint64_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd_, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      throw IoError(std::string("read failed: ") + errno_message(errno), path_.string(), what);
    }
    if (n == 0) {
      throw FormatError(
          "unexpected end of file at byte " + std::to_string(offset + done) + " (file truncated?)",
          path_.string(), what);
    }
    done += static_cast<std::uint64_t>(n);
  }
}

void LasReader::parse() {
  const std::string file = path_.string();
  if (file_size_ < 227) {
    throw FormatError("file of " + std::to_string(file_size_) +
                          " bytes is too small for a LAS header (227 bytes at least)",
                      file, "header");
  }
  std::vector<std::uint8_t> h(std::min<std::uint64_t>(file_size_, 375));
  pread_exact(0, h.size(), h.data(), "header");
  if (std::memcmp(h.data(), "LASF", 4) != 0) {
    throw FormatError("not a LAS file (signature is not \"LASF\")", file, "header");
  }
  LasHeader& H = header_;
  H.file_source_id = get<std::uint16_t>(h.data(), 4);
  H.global_encoding = get<std::uint16_t>(h.data(), 6);
  std::memcpy(H.guid.data(), h.data() + 8, 16);
  H.version_major = h[24];
  H.version_minor = h[25];
  if (H.version_major != 1 || H.version_minor > 4) {
    throw FormatError("unsupported LAS version " + std::to_string(H.version_major) + "." +
                          std::to_string(H.version_minor) + " (1.0–1.4 are read)",
                      file, "header");
  }
  H.system_id = text_of(h.data() + 26, 32);
  H.software = text_of(h.data() + 58, 32);
  H.creation_day = get<std::uint16_t>(h.data(), 90);
  H.creation_year = get<std::uint16_t>(h.data(), 92);
  H.header_size = get<std::uint16_t>(h.data(), 94);
  H.offset_to_points = get<std::uint32_t>(h.data(), 96);
  const std::uint32_t nvlr = get<std::uint32_t>(h.data(), 100);
  H.format_byte = h[104];
  H.point_format = H.format_byte & 0x3F;
  H.record_length = get<std::uint16_t>(h.data(), 105);
  const std::uint32_t legacy_count = get<std::uint32_t>(h.data(), 107);
  for (int i = 0; i < 5; ++i)
    H.points_by_return[i] = get<std::uint32_t>(h.data(), 111 + 4 * i);
  for (int i = 0; i < 3; ++i) {
    H.scale[i] = get<double>(h.data(), 131 + 8 * i);
    H.offset[i] = get<double>(h.data(), 155 + 8 * i);
    H.max[i] = get<double>(h.data(), 179 + 16 * i);
    H.min[i] = get<double>(h.data(), 187 + 16 * i);
    // Coordinates are integer * scale + offset: a zero or non-finite scale
    // (or a non-finite offset) makes every coordinate meaningless.
    if (!std::isfinite(H.scale[i]) || H.scale[i] == 0.0 || !std::isfinite(H.offset[i])) {
      throw FormatError(std::string("invalid ") + "xyz"[i] + " scale " +
                            std::to_string(H.scale[i]) + " / offset " +
                            std::to_string(H.offset[i]) + " (scale must be finite and non-zero)",
                        file, "header");
    }
    // The steps take the epochs' extent and overlap from these bounds: a
    // NaN there reads as "the epochs do not overlap" or a grid of NaN size.
    if (!std::isfinite(H.min[i]) || !std::isfinite(H.max[i])) {
      throw FormatError(std::string("invalid ") + "xyz"[i] + " bounds [" +
                            std::to_string(H.min[i]) + ", " + std::to_string(H.max[i]) +
                            "] (must be finite)",
                        file, "header");
    }
  }
  const std::uint16_t need = LasHeader::required_header_size(H.version_minor);
  if (H.header_size < need || H.header_size > file_size_) {
    throw FormatError("header size " + std::to_string(H.header_size) + " is invalid for LAS 1." +
                          std::to_string(H.version_minor) + " (needs " + std::to_string(need) + ")",
                      file, "header");
  }
  H.point_count = legacy_count;
  if (H.version_minor >= 3)
    H.waveform_start = get<std::uint64_t>(h.data(), 227);
  if (H.version_minor >= 4) {
    H.evlr_start = get<std::uint64_t>(h.data(), 235);
    H.evlr_count = get<std::uint32_t>(h.data(), 243);
    std::uint64_t count64 = get<std::uint64_t>(h.data(), 247);
    if (count64 != 0 || H.point_format >= 6)
      H.point_count = count64;
    for (int i = 0; i < 15; ++i)
      H.points_by_return[i] = get<std::uint64_t>(h.data(), 255 + 8 * i);
  }

  // VLRs: between the header and the point data.
  if (H.offset_to_points < H.header_size || H.offset_to_points > file_size_) {
    throw FormatError("offset to point data " + std::to_string(H.offset_to_points) +
                          " lies outside the file (" + std::to_string(file_size_) + " bytes)",
                      file, "header");
  }
  std::vector<std::uint8_t> vlr_block(H.offset_to_points - H.header_size);
  pread_exact(H.header_size, vlr_block.size(), vlr_block.data(), "VLRs");
  std::size_t at = 0;
  for (std::uint32_t i = 0; i < nvlr; ++i) {
    const std::string object = "VLR " + std::to_string(i);
    if (at + 54 > vlr_block.size()) {
      throw FormatError("VLR header runs past the start of the point data", file, object);
    }
    LasVlr v;
    v.reserved = get<std::uint16_t>(vlr_block.data(), at);
    v.user_id = text_of(vlr_block.data() + at + 2, 16);
    v.record_id = get<std::uint16_t>(vlr_block.data(), at + 18);
    std::uint16_t len = get<std::uint16_t>(vlr_block.data(), at + 20);
    v.description = text_of(vlr_block.data() + at + 22, 32);
    if (at + 54 + len > vlr_block.size()) {
      throw FormatError("VLR \"" + v.user_id + "\"/" + std::to_string(v.record_id) + " of " +
                            std::to_string(len) + " bytes runs past the start of the point data",
                        file, object);
    }
    v.data.assign(vlr_block.begin() + static_cast<std::ptrdiff_t>(at + 54),
                  vlr_block.begin() + static_cast<std::ptrdiff_t>(at + 54 + len));
    at += 54 + len;
    H.vlrs.push_back(std::move(v));
  }

  // LAZ: compression bits of the format byte or LASzip's VLR.
  bool laz = (H.format_byte & 0xC0) != 0;
  for (const LasVlr& v : H.vlrs) {
    if (v.user_id == "laszip encoded" || v.record_id == 22204)
      laz = true;
  }
  if (!las_format_supported(H.point_format)) {
    throw FormatError("unsupported point data format " + std::to_string(H.point_format) +
                          " (LAS defines formats 0-10)",
                      file, "header");
  }
  const int standard = las_standard_record_length(H.point_format);
  if (H.record_length < standard) {
    throw FormatError("record length " + std::to_string(H.record_length) + " is shorter than the " +
                          std::to_string(standard) + " bytes of point format " +
                          std::to_string(H.point_format),
                      file, "header");
  }
  // Extra-bytes descriptors must describe no more than the surplus bytes.
  for (const LasVlr& v : H.vlrs) {
    if (!v.is("LASF_Spec", 4))
      continue;
    int described = 0;
    for (const LasExtraBytes& e : las_decode_extra_bytes(v.data, file)) {
      described += e.size() > 0 ? e.size() : e.options;  // type 0: options = byte count
    }
    if (described > H.extra_bytes_per_record()) {
      throw FormatError("extra-bytes VLR describes " + std::to_string(described) +
                            " bytes per point but records carry " +
                            std::to_string(H.extra_bytes_per_record()),
                        file, "VLR LASF_Spec/4");
    }
  }

  // LAZ: the chunk table, not the file size, says where the points are.
  if (laz) {
    laz_ = std::make_shared<const tessera::io::laz::LazPoints>(fd_, file_size_, H, file);
    return;
  }

  // Declared EVLRs start inside the file: a start past its end would let a
  // damaged point count pass the check below (and read_epoch reserves that
  // many points). A start before the points is tolerated, as before: the
  // points then run to the end of the file.
  if (H.version_minor >= 4 && H.evlr_count > 0 && H.evlr_start > file_size_) {
    throw FormatError("start of EVLRs " + std::to_string(H.evlr_start) +
                          " lies past the end of the file (" + std::to_string(file_size_) +
                          " bytes)",
                      file, "header");
  }
  // The point count must agree with the bytes present.
  const std::uint64_t data_bytes = file_size_ - H.offset_to_points;
  const std::uint64_t end_of_points =
      H.version_minor >= 4 && H.evlr_count > 0 && H.evlr_start >= H.offset_to_points ? H.evlr_start
                                                                                     : file_size_;
  const std::uint64_t available = (end_of_points - H.offset_to_points) / H.record_length;
  if (H.point_count > available) {
    throw FormatError("header says " + std::to_string(H.point_count) + " points of " +
                          std::to_string(H.record_length) + " bytes but only " +
                          std::to_string(data_bytes) + " bytes of point data are present " +
                          "(file truncated or header count wrong)",
                      file, "point data");
  }
  if (H.point_count < available && end_of_points == file_size_ && H.waveform_start == 0) {
    throw FormatError("header says " + std::to_string(H.point_count) + " points but the file " +
                          "holds " + std::to_string(available) + " records of " +
                          std::to_string(H.record_length) + " bytes (header count wrong)",
                      file, "point data");
  }
}

void LasReader::read_records(std::uint64_t first, std::uint64_t count, std::uint8_t* out) const {
  if (first + count > header_.point_count) {
    throw UsageError("records [" + std::to_string(first) + ", " + std::to_string(first + count) +
                         ") past the " + std::to_string(header_.point_count) + " points",
                     path_.string());
  }
  if (laz_) {
    laz_->read(first, count, out);
    return;
  }
  pread_exact(header_.offset_to_points + first * header_.record_length,
              count * header_.record_length, out, "point records");
}

MappedRange LasReader::map_records(std::uint64_t first, std::uint64_t count) const {
  if (first + count > header_.point_count) {
    throw UsageError("records [" + std::to_string(first) + ", " + std::to_string(first + count) +
                         ") past the " + std::to_string(header_.point_count) + " points",
                     path_.string());
  }
  if (laz_) {  // decoded into anonymous memory: the walks read it there
    MappedRange decoded = MappedRange::anonymous(count * header_.record_length);
    laz_->read(first, count, decoded.writable_data());
    return decoded;
  }
  return MappedRange(fd_, header_.offset_to_points + first * header_.record_length,
                     count * header_.record_length, path_.string());
}

std::vector<std::uint8_t> LasReader::read_records(std::uint64_t first, std::uint64_t count) const {
  std::vector<std::uint8_t> out(count * header_.record_length);
  read_records(first, count, out.data());
  return out;
}

std::pair<std::uint64_t, std::uint64_t> LasReader::part(int parts, int index) const {
  const std::uint64_t n = header_.point_count;
  if (!laz_) {
    const BlockRange b = block_range(static_cast<std::int64_t>(n), parts, index);
    return {static_cast<std::uint64_t>(b.begin), static_cast<std::uint64_t>(b.end)};
  }
  // Whole chunks, about equal compressed bytes per part: the decoding
  // dominates a LAZ read, and chunks of equal points differ in bytes (the
  // large synthetic A's halves: 105.5 and 95.8 MB; docs/performance.md).
  const std::vector<laz::Chunk>& chunks = laz_->chunks();
  auto start = [&](std::size_t c) { return c < chunks.size() ? chunks[c].first_point : n; };
  return {start(laz::part_start(chunks, parts, index)),
          start(laz::part_start(chunks, parts, index + 1))};
}

std::uint64_t LasReader::read_span(std::uint64_t first, std::uint64_t want,
                                   std::uint64_t end) const {
  const std::uint64_t m = std::min(want, end - first);
  if (!laz_ || m == 0)
    return m;
  const std::vector<laz::Chunk>& chunks = laz_->chunks();
  const laz::Chunk& c = chunks[laz::chunk_of(chunks, first + m - 1)];
  return std::min(c.first_point + c.points, end) - first;
}

bool las_is_compressed(const std::filesystem::path& path) {
  try {
    LasReader r(path);
    return r.compressed();
  } catch (const FormatError& e) {
    return e.message().rfind("LAZ", 0) == 0;
  } catch (...) {
    return false;
  }
}

}  // namespace tessera::io
