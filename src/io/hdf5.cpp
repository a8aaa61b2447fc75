#include "tessera/io/hdf5.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <mutex>

#include "tessera/core/error.hpp"
#include "tessera/core/mpiio_hints.hpp"
#include "tessera/core/perf.hpp"

namespace tessera::io {

namespace {

// The innermost message of HDF5's error stack: the most specific reason.
herr_t collect_message(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  if (n == 0 && err && err->desc)
    *out = err->desc;
  return 0;
}

std::string hdf5_message() {
  std::string msg;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_message, &msg);
  H5Eclear2(H5E_DEFAULT);
  return msg.empty() ? "HDF5 error" : msg;
}

// Why an existing path did not open, in the user's terms: HDF5's own stack
// says only "unable to open file" for a directory, an empty file or another
// format. Called after a failed open only, so a good file pays nothing.
std::string why_not_opened(const std::string& path) {
  const std::string library = hdf5_message();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return "is a directory, not an HDF5 file";
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size == 0)
    return "empty file (0 bytes)";
  if (!ec && H5Fis_hdf5(path.c_str()) == 0) {
    H5Eclear2(H5E_DEFAULT);
    return "not an HDF5 file (no HDF5 signature)";
  }
  H5Eclear2(H5E_DEFAULT);
  return library + " (file truncated or damaged?)";
}

Handle dataspace_for(const Slab& slab, hid_t file_space, const std::string& file,
                     const std::string& name, hid_t* mem_space_out) {
  const auto rank = static_cast<int>(slab.count.size());
  bool empty = false;
  std::vector<hsize_t> start(slab.start.begin(), slab.start.end());
  std::vector<hsize_t> count(slab.count.begin(), slab.count.end());
  for (auto c : count)
    empty = empty || c == 0;
  if (empty) {
    // An empty selection on both sides (not H5S_NULL): the rank still takes
    // part in the collective transfer with zero bytes.
    h5check(H5Sselect_none(file_space), "H5Sselect_none", file, name);
    const hsize_t one = 1;
    *mem_space_out = h5check(H5Screate_simple(1, &one, nullptr), "H5Screate_simple", file, name);
    h5check(H5Sselect_none(*mem_space_out), "H5Sselect_none", file, name);
  } else {
    h5check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(),
                                nullptr),
            "H5Sselect_hyperslab", file, name);
    *mem_space_out =
        h5check(H5Screate_simple(rank, count.data(), nullptr), "H5Screate_simple", file, name);
  }
  return Handle(*mem_space_out);
}

std::int64_t slab_elements(const Slab& slab) {
  std::int64_t n = 1;
  for (auto c : slab.count)
    n *= static_cast<std::int64_t>(c);
  return slab.count.empty() ? 0 : n;
}

}  // namespace

void h5_silence_errors() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

hid_t h5check(hid_t status, const char* what, const std::string& file, const std::string& object) {
  if (status < 0)
    throw IoError(fmt::format("{}: {}", what, hdf5_message()), file, object);
  return status;
}

Handle::~Handle() {
  if (id_ < 0)
    return;
  // Quiet close whatever the kind of object; errors are swallowed by design.
  H5Idec_ref(id_);
  id_ = H5I_INVALID_HID;
}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0)
      H5Idec_ref(id_);
    id_ = other.id_;
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

File::File(const std::filesystem::path& path, Mode mode) : path_(path.string()) {
  h5_silence_errors();
  hid_t id = H5I_INVALID_HID;
  switch (mode) {
    case Mode::kRead: {
      // SWMR-read turns off HDF5's metadata accumulator. With it on, HDF5
      // 1.10 copies from outside its buffer (SIGSEGV in H5F__accum_read)
      // when a damaged file holds an address near 2^64; with it off the
      // same read fails with an error (tests/data/fuzz/uvh5, found by the
      // fuzzer). One read attempt, as without SWMR: SWMR's default retries
      // a bad checksum 100 times with growing sleeps, which only delays the
      // error for a finished file.
      Handle fapl(h5check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", path_));
      h5check(H5Pset_metadata_read_attempts(fapl.id(), 1), "H5Pset_metadata_read_attempts", path_);
      id = H5Fopen(path_.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl.id());
      break;
    }
    case Mode::kReadWrite:
      id = H5Fopen(path_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      break;
    case Mode::kCreate:
      id = H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
      break;
  }
  if (id < 0) {
    throw IoError(fmt::format("cannot {} HDF5 file: {}", mode == Mode::kCreate ? "create" : "open",
                              mode == Mode::kCreate ? hdf5_message() : why_not_opened(path_)),
                  path_);
  }
  file_ = Handle(id);
}

File::File(const std::filesystem::path& path, Mode mode, const Comm& comm)
    : path_(path.string()), parallel_(true) {
  h5_silence_errors();
  Handle fapl(h5check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", path_));
  const MpiioInfo hints;  // core/mpiio_hints.hpp; HDF5 keeps its own copy
  h5check(H5Pset_fapl_mpio(fapl.id(), comm.handle(), hints.get()), "H5Pset_fapl_mpio", path_);
  // Metadata reads by one rank + broadcast, metadata writes collective: avoids
  // every rank hitting the file system for the same few bytes.
  h5check(H5Pset_all_coll_metadata_ops(fapl.id(), true), "H5Pset_all_coll_metadata_ops", path_);
  h5check(H5Pset_coll_metadata_write(fapl.id(), true), "H5Pset_coll_metadata_write", path_);
  hid_t id = H5I_INVALID_HID;
  switch (mode) {
    case Mode::kRead:
      id = H5Fopen(path_.c_str(), H5F_ACC_RDONLY, fapl.id());
      break;
    case Mode::kReadWrite:
      id = H5Fopen(path_.c_str(), H5F_ACC_RDWR, fapl.id());
      break;
    case Mode::kCreate:
      id = H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id());
      break;
  }
  if (id < 0) {
    throw IoError(fmt::format("cannot {} HDF5 file in parallel: {}",
                              mode == Mode::kCreate ? "create" : "open", hdf5_message()),
                  path_);
  }
  file_ = Handle(id);
}

bool File::exists(const std::string& object) const {
  // H5Lexists checks one link; walk the path so "a/b/c" works when "a" is missing.
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    auto next = object.find('/', pos + 1);
    partial = object.substr(0, next);
    if (!partial.empty() && partial != "/") {
      htri_t e = H5Lexists(file_.id(), partial.c_str(), H5P_DEFAULT);
      // Negative: the lookup itself failed (a damaged group or B-tree), which
      // is not the same as "absent" and must not be reported as missing.
      if (e < 0) {
        throw FormatError(
            "cannot look up '" + partial + "': " + hdf5_message() + " (damaged file?)", path_,
            object);
      }
      if (e == 0)
        return false;
    }
    pos = next;
  }
  return true;
}

Handle File::open_group(const std::string& name) const {
  return Handle(h5check(H5Gopen2(file_.id(), name.c_str(), H5P_DEFAULT), "H5Gopen", path_, name));
}

Handle File::create_group(const std::string& name) {
  return Handle(h5check(H5Gcreate2(file_.id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                        "H5Gcreate", path_, name));
}

Handle File::open_dataset(const std::string& name) const {
  return Handle(h5check(H5Dopen2(file_.id(), name.c_str(), H5P_DEFAULT), "H5Dopen", path_, name));
}

Handle File::create_dataset(const std::string& name, hid_t type,
                            const std::vector<std::uint64_t>& dims,
                            const std::vector<std::uint64_t>& chunk) {
  std::vector<hsize_t> d(dims.begin(), dims.end());
  Handle space(h5check(H5Screate_simple(static_cast<int>(d.size()), d.data(), nullptr),
                       "H5Screate_simple", path_, name));
  Handle dcpl(h5check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate", path_, name));
  if (!chunk.empty()) {
    std::vector<hsize_t> c(chunk.begin(), chunk.end());
    h5check(H5Pset_chunk(dcpl.id(), static_cast<int>(c.size()), c.data()), "H5Pset_chunk", path_,
            name);
  }
  // No fill: every element is written by some rank, and fill would double
  // the I/O of a parallel create.
  h5check(H5Pset_fill_time(dcpl.id(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time", path_, name);
  return Handle(h5check(
      H5Dcreate2(file_.id(), name.c_str(), type, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
      "H5Dcreate", path_, name));
}

std::vector<std::uint64_t> File::dims(const std::string& name) const {
  Handle ds = open_dataset(name);
  Handle space(h5check(H5Dget_space(ds.id()), "H5Dget_space", path_, name));
  const int rank = H5Sget_simple_extent_ndims(space.id());
  std::vector<hsize_t> d(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0)
    H5Sget_simple_extent_dims(space.id(), d.data(), nullptr);
  return {d.begin(), d.end()};
}

void File::write_slab(hid_t dataset, hid_t mem_type, const Slab& slab, const void* data,
                      const std::string& name) {
  Handle file_space(h5check(H5Dget_space(dataset), "H5Dget_space", path_, name));
  hid_t mem_id = H5I_INVALID_HID;
  Handle mem_space = dataspace_for(slab, file_space.id(), path_, name, &mem_id);
  Handle dxpl(h5check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate", path_, name));
  if (parallel_) {
    h5check(H5Pset_dxpl_mpio(dxpl.id(), H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", path_, name);
  }
  h5check(H5Dwrite(dataset, mem_type, mem_space.id(), file_space.id(), dxpl.id(), data), "H5Dwrite",
          path_, name);
  const auto bytes = slab_elements(slab) * static_cast<std::int64_t>(H5Tget_size(mem_type));
  perf::add_bytes_written(bytes);
  if (parallel_) {
    uint32_t local_cause = 0;
    uint32_t global_cause = 0;
    h5check(H5Pget_mpio_no_collective_cause(dxpl.id(), &local_cause, &global_cause),
            "H5Pget_mpio_no_collective_cause", path_, name);
    last_cause_ = local_cause | global_cause;
    last_collective_ = last_cause_ == H5D_MPIO_COLLECTIVE;
  } else {
    last_cause_ = 0;
    last_collective_ = false;
  }
}

void File::read_slab(hid_t dataset, hid_t mem_type, const Slab& slab, void* data,
                     const std::string& name, bool collective) const {
  Handle file_space(h5check(H5Dget_space(dataset), "H5Dget_space", path_, name));
  hid_t mem_id = H5I_INVALID_HID;
  Handle mem_space = dataspace_for(slab, file_space.id(), path_, name, &mem_id);
  Handle dxpl(h5check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate", path_, name));
  if (parallel_ && collective) {
    h5check(H5Pset_dxpl_mpio(dxpl.id(), H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", path_, name);
  }
  h5check(H5Dread(dataset, mem_type, mem_space.id(), file_space.id(), dxpl.id(), data), "H5Dread",
          path_, name);
  perf::add_bytes_read(slab_elements(slab) * static_cast<std::int64_t>(H5Tget_size(mem_type)));
}

void File::write_attribute(const std::string& object, const std::string& name,
                           const std::string& value) {
  Handle type(h5check(H5Tcopy(H5T_C_S1), "H5Tcopy", path_, object));
  h5check(H5Tset_size(type.id(), std::max<std::size_t>(value.size(), 1)), "H5Tset_size", path_,
          object);
  h5check(H5Tset_strpad(type.id(), H5T_STR_NULLPAD), "H5Tset_strpad", path_, object);
  Handle space(h5check(H5Screate(H5S_SCALAR), "H5Screate", path_, object));
  Handle attr(h5check(H5Acreate_by_name(file_.id(), object.c_str(), name.c_str(), type.id(),
                                        space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                      "H5Acreate", path_, object + "@" + name));
  std::string padded = value.empty() ? std::string(1, '\0') : value;
  h5check(H5Awrite(attr.id(), type.id(), padded.data()), "H5Awrite", path_, object + "@" + name);
}

void File::write_attribute(const std::string& object, const std::string& name, double value) {
  Handle space(h5check(H5Screate(H5S_SCALAR), "H5Screate", path_, object));
  Handle attr(h5check(H5Acreate_by_name(file_.id(), object.c_str(), name.c_str(), H5T_NATIVE_DOUBLE,
                                        space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                      "H5Acreate", path_, object + "@" + name));
  h5check(H5Awrite(attr.id(), H5T_NATIVE_DOUBLE, &value), "H5Awrite", path_, object + "@" + name);
}

void File::close() {
  if (!file_.valid())
    return;
  // Release ownership first so a failing close is not retried by the destructor.
  const hid_t id = file_.release();
  if (H5Fclose(id) < 0)
    throw IoError("H5Fclose: " + hdf5_message(), path_);
}

}  // namespace tessera::io
