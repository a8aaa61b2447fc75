#include "tessera/io/hdf5_mapped.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "tessera/core/error.hpp"
#include "tessera/io/hdf5.hpp"

namespace tessera::io {

MappedDataset::~MappedDataset() {
  release();
}

MappedDataset::MappedDataset(MappedDataset&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)),
      length_(std::exchange(other.length_, 0)),
      data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)) {}

MappedDataset& MappedDataset::operator=(MappedDataset&& other) noexcept {
  if (this != &other) {
    release();
    base_ = std::exchange(other.base_, nullptr);
    length_ = std::exchange(other.length_, 0);
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

void MappedDataset::release() noexcept {
  if (base_ != nullptr)
    ::munmap(base_, length_);
  base_ = nullptr, length_ = 0, data_ = nullptr, bytes_ = 0;
}

MappedDataset MappedDataset::map(const File& file, const std::string& name, hid_t mem_type) {
  const std::string& path = file.path();
  Handle ds = file.open_dataset(name);
  Handle dcpl(h5check(H5Dget_create_plist(ds.id()), "H5Dget_create_plist", path, name));
  if (H5Pget_layout(dcpl.id()) != H5D_CONTIGUOUS || H5Pget_nfilters(dcpl.id()) != 0)
    return {};
  Handle type(h5check(H5Dget_type(ds.id()), "H5Dget_type", path, name));
  if (H5Tequal(type.id(), mem_type) <= 0)
    return {};
  const haddr_t offset = H5Dget_offset(ds.id());
  const hsize_t bytes = H5Dget_storage_size(ds.id());
  Handle space(h5check(H5Dget_space(ds.id()), "H5Dget_space", path, name));
  const hssize_t points = H5Sget_simple_extent_npoints(space.id());
  if (offset == HADDR_UNDEF || points <= 0 ||
      bytes != static_cast<hsize_t>(points) * H5Tget_size(mem_type)) {
    return {};
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw IoError(fmt::format("cannot open: {}", errno_message(errno)), path);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || static_cast<std::uint64_t>(st.st_size) < offset + bytes) {
    ::close(fd);
    throw IoError(fmt::format("file is truncated: {} ends at byte {} but the file has {} bytes",
                              name, offset + bytes, static_cast<long long>(st.st_size)),
                  path);
  }
  const long page = ::sysconf(_SC_PAGESIZE);
  const std::uint64_t start = offset / static_cast<std::uint64_t>(page) * page;
  const std::size_t length = static_cast<std::size_t>(offset + bytes - start);
  // MAP_POPULATE: the pages are wanted at once and in order; one call maps
  // them all instead of a fault per 64 KiB while the consumer streams.
  void* base =
      ::mmap(nullptr, length, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, static_cast<off_t>(start));
  const int err = errno;
  ::close(fd);  // the mapping keeps the file referenced
  if (base == MAP_FAILED)
    throw IoError(fmt::format("cannot map {}: {}", name, errno_message(err)), path);
  MappedDataset m;
  m.base_ = base;
  m.length_ = length;
  m.data_ = static_cast<const char*>(base) + (offset - start);
  m.bytes_ = static_cast<std::size_t>(bytes);
  return m;
}

}  // namespace tessera::io
