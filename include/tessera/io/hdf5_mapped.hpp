// Zero-copy reads of a contiguous HDF5 dataset through mmap(2).
//
// A contiguous, unfiltered dataset is one run of bytes at a known file offset
// (H5Dget_offset). When its file type is exactly the memory type the caller
// wants, mapping those bytes lets a consumer read them straight from the page
// cache instead of having HDF5 copy them into a buffer first: the subband
// converter phase-rotates visibilities from the mapping into its output
// buffer, one pass over memory instead of two.
//
// Anything else — chunked or filtered layout, another type or byte order, a
// dataset whose storage was never allocated — is reported as not mappable and
// the caller reads with H5Dread. A file too short for the dataset's extent
// (truncated) is an IoError naming the file: mapping past the end would
// SIGBUS on first touch.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <filesystem>
#include <string>

namespace tessera::io {

class File;

class MappedDataset {
 public:
  MappedDataset() = default;
  ~MappedDataset();
  MappedDataset(MappedDataset&& other) noexcept;
  MappedDataset& operator=(MappedDataset&& other) noexcept;
  MappedDataset(const MappedDataset&) = delete;
  MappedDataset& operator=(const MappedDataset&) = delete;

  /// Maps dataset `name` of `file` if its layout is contiguous without
  /// filters, its storage is allocated and its file type equals `mem_type`
  /// (H5Tequal). Returns an empty object (mapped() false) otherwise.
  static MappedDataset map(const File& file, const std::string& name, hid_t mem_type);

  bool mapped() const noexcept { return base_ != nullptr; }
  /// First byte of the dataset (nullptr when not mapped).
  const void* data() const noexcept { return data_; }
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  void release() noexcept;
  void* base_ = nullptr;    // page-aligned start of the mapping
  std::size_t length_ = 0;  // length of the mapping
  const void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace tessera::io
