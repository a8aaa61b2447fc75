// RAII over parallel HDF5 (the C API of HDF5 1.10+ built with MPI).
//
// Every C call goes through h5check(), which throws IoError carrying the file,
// the object and the top of HDF5's own error stack; HDF5's automatic stack
// printing is turned off so no diagnostic text leaks to the terminal.
// Handles own one hid_t; moving nulls the source; destructors close quietly.
//
// Parallel use: open/create a File with a communicator (MPI-IO driver and
// collective metadata), create datasets collectively (every rank, same
// arguments), and write with a collective transfer list, each rank passing its
// own hyperslab (possibly empty). `last_io_was_collective()` reports whether
// the last transfer on this rank really ran collectively
// (H5Pget_mpio_no_collective_cause), which tests assert.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tessera/core/mpi.hpp"

namespace tessera::io {

/// Throws IoError(file, object, "<what>: <HDF5 message>") when status < 0.
hid_t h5check(hid_t status, const char* what, const std::string& file,
              const std::string& object = {});
/// Silences HDF5's automatic error printing (called once by File).
void h5_silence_errors();

/// An owned hid_t of any kind (file, group, dataset, dataspace, type, plist).
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle();
  Handle(Handle&& other) noexcept : id_(other.id_) { other.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t id() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }
  /// Gives up ownership and returns the id (the caller closes it).
  hid_t release() noexcept {
    hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

/// Selection of a hyperslab: start and count per dimension. An empty count
/// (any zero) selects nothing, which is how a rank joins a collective write
/// without data.
struct Slab {
  std::vector<std::uint64_t> start;
  std::vector<std::uint64_t> count;
};

class File {
 public:
  enum class Mode { kRead, kReadWrite, kCreate };
  /// Serial open (one process).
  File(const std::filesystem::path& path, Mode mode);
  /// Parallel open over `comm`: MPI-IO driver, collective metadata ops. Collective.
  File(const std::filesystem::path& path, Mode mode, const Comm& comm);

  hid_t id() const noexcept { return file_.id(); }
  const std::string& path() const noexcept { return path_; }
  bool parallel() const noexcept { return parallel_; }

  bool exists(const std::string& object) const;
  Handle open_group(const std::string& name) const;
  Handle create_group(const std::string& name);
  Handle open_dataset(const std::string& name) const;
  /// Creates a dataset of `dims` and HDF5 type `type` (collective in parallel).
  /// `chunk` empty: contiguous layout.
  Handle create_dataset(const std::string& name, hid_t type, const std::vector<std::uint64_t>& dims,
                        const std::vector<std::uint64_t>& chunk = {});
  /// Dimensions of a dataset.
  std::vector<std::uint64_t> dims(const std::string& name) const;

  /// Writes `data` (memory type `mem_type`, laid out as `slab.count`) into the
  /// slab of a dataset. In parallel files the transfer is collective: every
  /// rank must call it, with an empty slab if it has nothing.
  void write_slab(hid_t dataset, hid_t mem_type, const Slab& slab, const void* data,
                  const std::string& name);
  /// Reads a slab of a dataset into `data` (independent transfer unless collective = true).
  void read_slab(hid_t dataset, hid_t mem_type, const Slab& slab, void* data,
                 const std::string& name, bool collective = false) const;

  /// Scalar and string attributes on an object ("/" for the file).
  void write_attribute(const std::string& object, const std::string& name,
                       const std::string& value);
  void write_attribute(const std::string& object, const std::string& name, double value);

  /// True when this rank's last write_slab/read_slab(collective) ran collectively.
  bool last_io_was_collective() const noexcept { return last_collective_; }
  /// The no-collective cause bits of the last transfer (0 = collective).
  std::uint32_t last_no_collective_cause() const noexcept { return last_cause_; }

  /// Flushes and closes (collective in parallel). Throws on failure; the
  /// destructor closes quietly if close() was not called.
  void close();

 private:
  std::string path_;
  Handle file_;
  bool parallel_ = false;
  bool last_collective_ = false;
  std::uint32_t last_cause_ = 0;
};

}  // namespace tessera::io
