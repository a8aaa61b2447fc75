// libFuzzer target: the LAS reader on arbitrary bytes. The bytes are put in
// a memfd so that LasReader reads a real file descriptor (it uses fstat and
// pread), without touching the disk.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/io/las_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = memfd_create("fuzz.las", MFD_CLOEXEC);
  if (fd < 0)
    return 0;
  if (::write(fd, data, size) != static_cast<ssize_t>(size)) {
    ::close(fd);
    return 0;
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  try {
    tessera::io::LasReader r(path);
    (void)r.header().crs();
    (void)r.header().extra_dimensions();
    if (r.point_count() > 0) {
      const std::uint64_t n = r.point_count() < 1024 ? r.point_count() : 1024;
      (void)r.read_records(0, n);
    }
  } catch (const tessera::Error& e) {
    // The promise: the message names the file. Otherwise stop here.
    if (std::string(e.what()).find(path) == std::string::npos)
      std::abort();
  }
  ::close(fd);
  return 0;
}
