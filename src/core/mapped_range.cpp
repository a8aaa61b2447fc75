// See include/tessera/core/mapped_range.hpp.
#include "tessera/core/mapped_range.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "tessera/core/error.hpp"

namespace tessera {

MappedRange::MappedRange(int fd, std::uint64_t offset, std::uint64_t size,
                         const std::string& path) {
  if (size == 0)
    return;
  // mmap's offset must be a multiple of the page size.
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t aligned = offset / page * page;
  length_ = size + (offset - aligned);
  base_ = ::mmap(nullptr, length_, PROT_READ, MAP_PRIVATE, fd, static_cast<off_t>(aligned));
  if (base_ == MAP_FAILED) {
    const int err = errno;
    base_ = nullptr;
    throw IoError("cannot map bytes " + std::to_string(offset) + "+" + std::to_string(size) + ": " +
                      errno_message(err),
                  path);
  }
  // Start reading ahead now; the first walk then rarely waits on the disk.
  // (Not MADV_SEQUENTIAL: it lets the kernel drop pages behind the reader,
  // which the next walk needs again.)
  ::madvise(base_, length_, MADV_WILLNEED);
  data_ = static_cast<const std::uint8_t*>(base_) + (offset - aligned);
  size_ = size;
}

MappedRange MappedRange::anonymous(std::uint64_t size) {
  MappedRange r;
  if (size == 0)
    return r;
  r.base_ = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (r.base_ == MAP_FAILED) {
    const int err = errno;
    r.base_ = nullptr;
    throw IoError("cannot allocate " + std::to_string(size) + " bytes: " + errno_message(err));
  }
  // Transparent huge pages where the kernel offers them (THP "madvise"
  // mode, Debian's default): the range is filled once, front to back (a
  // decoded LAZ block), and faulting it in 4 KiB at a time cost more CPU than
  // the filling itself on the VM measured (210 MB: 0.8-0.9 s of page faults
  // against 0.04-0.3 s with huge pages; docs/performance.md, LAZ). Advice
  // only: without THP the mapping works as before.
  ::madvise(r.base_, size, MADV_HUGEPAGE);
  r.length_ = r.size_ = size;
  r.data_ = static_cast<const std::uint8_t*>(r.base_);
  r.writable_ = true;
  return r;
}

MappedRange::~MappedRange() {
  release();
}

MappedRange::MappedRange(MappedRange&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)),
      length_(std::exchange(other.length_, 0)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      writable_(std::exchange(other.writable_, false)) {}

MappedRange& MappedRange::operator=(MappedRange&& other) noexcept {
  if (this != &other) {
    release();
    base_ = std::exchange(other.base_, nullptr);
    length_ = std::exchange(other.length_, 0);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    writable_ = std::exchange(other.writable_, false);
  }
  return *this;
}

void MappedRange::release() noexcept {
  if (base_ != nullptr)
    ::munmap(base_, length_);
  base_ = nullptr;
  data_ = nullptr;
  length_ = size_ = 0;
  writable_ = false;
}

}  // namespace tessera
