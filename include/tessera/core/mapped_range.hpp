// A read-only memory mapping of a byte range of an open file.
//
// Used where a block of a file is walked several times (tiles c2c decodes
// its LAS block once to plan the tiles and again to place each point): the
// bytes come from the file once, into the page cache, and every walk reads
// them there, with no private copy. The caveat of any mapping applies: a
// file truncated by another process while it is mapped faults the reader
// (SIGBUS) instead of returning a short read.
#pragma once

#include <cstdint>
#include <string>

namespace tessera {

class MappedRange {
 public:
  MappedRange() = default;
  /// Maps [offset, offset + size) of `fd`; throws IoError naming `path`.
  /// A size of 0 maps nothing (data() is nullptr).
  MappedRange(int fd, std::uint64_t offset, std::uint64_t size, const std::string& path);
  /// `size` bytes of zeroed private memory (no file) for the caller to fill
  /// through writable_data(): a block decoded from a compressed file.
  static MappedRange anonymous(std::uint64_t size);
  ~MappedRange();
  MappedRange(MappedRange&& other) noexcept;
  MappedRange& operator=(MappedRange&& other) noexcept;
  MappedRange(const MappedRange&) = delete;
  MappedRange& operator=(const MappedRange&) = delete;

  const std::uint8_t* data() const noexcept { return data_; }
  std::uint64_t size() const noexcept { return size_; }
  /// The bytes of an anonymous() range (nullptr for a file mapping).
  std::uint8_t* writable_data() noexcept {
    return writable_ ? const_cast<std::uint8_t*>(data_) : nullptr;
  }

 private:
  void release() noexcept;
  void* base_ = nullptr;  ///< page-aligned start of the mapping
  std::uint64_t length_ = 0;
  const std::uint8_t* data_ = nullptr;
  std::uint64_t size_ = 0;
  bool writable_ = false;
};

}  // namespace tessera
