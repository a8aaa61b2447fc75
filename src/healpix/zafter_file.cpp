// zafter files as bytes (include/tessera/healpix/zafter_file.hpp).
#include "tessera/healpix/zafter_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "tessera/core/error.hpp"
#include "tessera/io/fits_file.hpp"

namespace tessera::healpix {
namespace {

using io::FitsFile;

// The REDSHIFTS table of `nrows` rows with its keys, in a memory file; rows
// written when `rows` is given (otherwise only the header is meaningful).
FitsFile zafter_table(const std::vector<QsoRecord>* rows, std::int64_t nrows, std::int64_t nside,
                      std::int64_t pixel, std::string_view fingerprint) {
  FitsFile f = FitsFile::in_memory(fmt::format("zafter table of pixel {}", pixel));
  f.create_table("REDSHIFTS",
                 {{"TARGETID", "K", ""},
                  {"TARGET_RA", "D", "deg"},
                  {"TARGET_DEC", "D", "deg"},
                  {"Z", "D", ""},
                  {"ZERR", "D", ""},
                  {"ZWARN", "D", ""},
                  {"SPECTYPE", "6A", ""}},
                 nrows);
  f.write_key("HPXNSIDE", nside, "HEALPix NSIDE");
  f.write_key("HPXPIXEL", pixel, "HEALPix pixel (nested)");
  f.write_key("TSFPRINT", std::string(fingerprint), "tessera input fingerprint (resume)");
  if (rows != nullptr && !rows->empty()) {
    write_identity_columns(f, *rows);
    std::vector<std::string> spectype;
    spectype.reserve(rows->size());
    for (const QsoRecord& r : *rows)
      spectype.emplace_back(spectype_of(r));
    f.write_strings("SPECTYPE", 0, spectype);
  }
  return f;
}

}  // namespace

std::string zafter_header(std::int64_t nrows, std::int64_t nside, std::int64_t pixel,
                          std::string_view fingerprint) {
  FitsFile f = zafter_table(nullptr, nrows, nside, pixel, fingerprint);
  const std::int64_t header_end = f.data_offset();
  std::string bytes = f.take_bytes();
  bytes.resize(static_cast<std::size_t>(header_end));
  return bytes;
}

std::string zafter_bytes(const std::vector<QsoRecord>& rows, std::int64_t nside, std::int64_t pixel,
                         std::string_view fingerprint) {
  return zafter_table(&rows, static_cast<std::int64_t>(rows.size()), nside, pixel, fingerprint)
      .take_bytes();
}

std::int64_t write_zafter(const std::filesystem::path& path, const std::vector<QsoRecord>& rows,
                          std::int64_t nside, std::int64_t pixel, std::string_view fingerprint) {
  const std::string bytes = zafter_bytes(rows, nside, pixel, fingerprint);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0)
    throw IoError(fmt::format("cannot create: {}", errno_message(errno)), path.string());
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      throw IoError(fmt::format("cannot write: {}", errno_message(err)), path.string());
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0)
    throw IoError(fmt::format("cannot close: {}", errno_message(errno)), path.string());
  return static_cast<std::int64_t>(bytes.size());
}

bool zafter_is_current(const std::filesystem::path& path, std::int64_t nrows, std::int64_t nside,
                       std::int64_t pixel, std::string_view fingerprint) {
  const std::string want = zafter_header(nrows, nside, pixel, fingerprint);
  // 54-byte rows (K, 5 x D, 6A), the data unit padded to 2880-byte blocks.
  const std::size_t data = static_cast<std::size_t>(nrows) * 54;
  const std::size_t size = want.size() + (data + 2879) / 2880 * 2880;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  struct stat st {};
  bool current = ::fstat(fd, &st) == 0 && static_cast<std::size_t>(st.st_size) == size;
  if (current) {
    std::string got(want.size(), '\0');
    current =
        ::pread(fd, got.data(), got.size(), 0) == static_cast<ssize_t>(got.size()) && got == want;
  }
  ::close(fd);
  return current;
}

}  // namespace tessera::healpix
