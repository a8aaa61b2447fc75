#include "tessera/io/uvh5_hdf5.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>

#include "tessera/core/error.hpp"

namespace tessera::io::h5 {

namespace {

Handle open(const File& file, const std::string& name) {
  if (!file.exists(name))
    throw FormatError("required dataset is missing", file.path(), name);
  return file.open_dataset(name);
}

// The bytes a dataset declares (elements x element size), saturating
// instead of wrapping: a damaged dataspace may multiply to more than 2^64.
std::uint64_t declared_bytes(hid_t space, hid_t type) {
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> d(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0)
    H5Sget_simple_extent_dims(space, d.data(), nullptr);
  std::uint64_t n = std::max<std::uint64_t>(H5Tget_size(type), 1);
  for (const hsize_t x : d) {
    if (x != 0 && n > std::numeric_limits<std::uint64_t>::max() / x)
      return std::numeric_limits<std::uint64_t>::max();
    n *= x;
  }
  return n;
}

template <typename T>
std::vector<T> read_all(const File& file, const std::string& name, hid_t mem_type) {
  require_stored(file, name);
  Handle ds = open(file, name);
  Handle space(h5check(H5Dget_space(ds.id()), "H5Dget_space", file.path(), name));
  const hssize_t n = H5Sget_simple_extent_npoints(space.id());
  if (n < 0)
    throw FormatError("cannot size dataset", file.path(), name);
  Handle type(h5check(H5Dget_type(ds.id()), "H5Dget_type", file.path(), name));
  const H5T_class_t cls = H5Tget_class(type.id());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
    throw FormatError("dataset is not numeric", file.path(), name);
  }
  std::vector<T> out(static_cast<std::size_t>(n));
  if (n > 0) {
    h5check(H5Dread(ds.id(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "H5Dread",
            file.path(), name);
  }
  return out;
}

template <typename T>
T read_scalar(const File& file, const std::string& name, hid_t mem_type) {
  auto v = read_all<T>(file, name, mem_type);
  if (v.size() != 1) {
    throw FormatError(fmt::format("expected one value, found {}", v.size()), file.path(), name);
  }
  return v[0];
}

std::string trim_nul(std::string s) {
  const auto pos = s.find('\0');
  if (pos != std::string::npos)
    s.resize(pos);
  return s;
}

}  // namespace

namespace {
// Debian 12's hdf5-plugin-lzf 3.7.0-8 ships liblzf_filter.so without a
// NEEDED entry for liblzf (its lzf_compress/lzf_decompress are undefined), so
// HDF5's dlopen of the plugin fails ("undefined symbol: lzf_decompress") even
// with liblzf1 installed. Loading liblzf into the global symbol scope first
// lets the plugin resolve them; a system whose plugin is linked properly, or
// has no liblzf, is unaffected (the dlopen result is ignored).
void preload_filter_libraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (const char* lib : {"liblzf.so.1", "liblzf.so"}) {
      if (dlopen(lib, RTLD_NOW | RTLD_GLOBAL) != nullptr)
        break;
    }
  });
}
}  // namespace

void require_filters(const File& file, const std::string& name) {
  preload_filter_libraries();
  Handle ds = open(file, name);
  Handle dcpl(h5check(H5Dget_create_plist(ds.id()), "H5Dget_create_plist", file.path(), name));
  const int n = H5Pget_nfilters(dcpl.id());
  for (int k = 0; k < n; ++k) {
    unsigned flags = 0, config = 0;
    std::size_t nvalues = 0;
    char fname[128] = {};
    const H5Z_filter_t id = H5Pget_filter2(dcpl.id(), static_cast<unsigned>(k), &flags, &nvalues,
                                           nullptr, sizeof(fname), fname, &config);
    if (id < 0)
      throw FormatError(fmt::format("cannot query filter {}", k), file.path(), name);
    // H5Zfilter_avail also tries the dynamically loaded plugins.
    if (H5Zfilter_avail(id) > 0)
      continue;
    std::string label = fname[0] != '\0' ? fname : "unnamed";
    // Registered IDs (The HDF Group's filter registry) with their usual package.
    std::string hint =
        "install the HDF5 plugin providing it, or set HDF5_PLUGIN_PATH to its directory";
    if (id == 32000) {
      label = "LZF";
      hint =
          "pyuvdata and h5py compress with it; install the LZF plugin (Debian: hdf5-plugin-lzf) "
          "or set HDF5_PLUGIN_PATH to a directory holding liblzf_filter.so";
    } else if (id == 32001) {
      label = "Blosc";
    } else if (id == 32008) {
      label = "bitshuffle";
    }
    throw FormatError(
        fmt::format("stored with HDF5 filter {} ({}), which this HDF5 cannot load: {}",
                    static_cast<int>(id), label, hint),
        file.path(), name);
  }
}

void require_stored(const File& file, const std::string& name) {
  Handle ds = open(file, name);
  Handle space(h5check(H5Dget_space(ds.id()), "H5Dget_space", file.path(), name));
  Handle type(h5check(H5Dget_type(ds.id()), "H5Dget_type", file.path(), name));
  Handle dcpl(h5check(H5Dget_create_plist(ds.id()), "H5Dget_create_plist", file.path(), name));
  const std::uint64_t declared = declared_bytes(space.id(), type.id());
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(file.path(), ec);
  if (ec)
    throw IoError("cannot stat: " + ec.message(), file.path(), name);
  // What is allocated on disk for this dataset (its chunk index is bounded
  // by the file). Declared against stored, not against the file size: a
  // sparse chunked dataset of millions of unwritten 1-element chunks is
  // small on disk, but HDF5 visits every chunk to fill it, for minutes.
  const std::uint64_t stored = std::min<std::uint64_t>(H5Dget_storage_size(ds.id()), size);
  const bool filtered = H5Pget_nfilters(dcpl.id()) > 0;
  constexpr std::uint64_t kMaxRatio = 1100;
  const std::uint64_t limit = filtered ? stored * kMaxRatio : stored;
  if (declared > limit) {
    throw FormatError(fmt::format("declares {} bytes of data but {} bytes are stored{} (damaged "
                                  "dataspace, or a dataset never written)",
                                  declared, stored, filtered ? " compressed" : ""),
                      file.path(), name);
  }
}

std::vector<std::uint64_t> dataset_dims(const File& file, const std::string& name) {
  Handle ds = open(file, name);
  Handle space(h5check(H5Dget_space(ds.id()), "H5Dget_space", file.path(), name));
  const int rank = H5Sget_simple_extent_ndims(space.id());
  if (rank < 0)
    throw FormatError("cannot read dataset shape", file.path(), name);
  std::vector<hsize_t> d(static_cast<std::size_t>(rank));
  if (rank > 0)
    H5Sget_simple_extent_dims(space.id(), d.data(), nullptr);
  return {d.begin(), d.end()};
}

std::uint64_t element_count(const File& file, const std::string& name) {
  std::uint64_t n = 1;
  for (auto d : dataset_dims(file, name))
    n *= d;
  return n;
}

std::vector<double> read_doubles(const File& file, const std::string& name) {
  return read_all<double>(file, name, H5T_NATIVE_DOUBLE);
}
std::vector<float> read_floats(const File& file, const std::string& name) {
  return read_all<float>(file, name, H5T_NATIVE_FLOAT);
}
std::vector<std::int64_t> read_ints(const File& file, const std::string& name) {
  return read_all<std::int64_t>(file, name, H5T_NATIVE_INT64);
}
double read_double(const File& file, const std::string& name) {
  return read_scalar<double>(file, name, H5T_NATIVE_DOUBLE);
}
std::int64_t read_int(const File& file, const std::string& name) {
  return read_scalar<std::int64_t>(file, name, H5T_NATIVE_INT64);
}

std::vector<std::string> read_strings(const File& file, const std::string& name) {
  require_stored(file, name);
  Handle ds = open(file, name);
  Handle type(h5check(H5Dget_type(ds.id()), "H5Dget_type", file.path(), name));
  if (H5Tget_class(type.id()) != H5T_STRING) {
    throw FormatError("dataset is not a string", file.path(), name);
  }
  Handle space(h5check(H5Dget_space(ds.id()), "H5Dget_space", file.path(), name));
  const hssize_t n = H5Sget_simple_extent_npoints(space.id());
  std::vector<std::string> out;
  if (n <= 0)
    return out;
  if (H5Tis_variable_str(type.id()) > 0) {
    Handle mem(h5check(H5Tcopy(H5T_C_S1), "H5Tcopy", file.path(), name));
    H5Tset_size(mem.id(), H5T_VARIABLE);
    std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
    h5check(H5Dread(ds.id(), mem.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "H5Dread",
            file.path(), name);
    for (char* p : ptrs)
      out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mem.id(), space.id(), H5P_DEFAULT, ptrs.data());
    return out;
  }
  const std::size_t size = H5Tget_size(type.id());
  std::string buf(size * static_cast<std::size_t>(n), '\0');
  h5check(H5Dread(ds.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "H5Dread",
          file.path(), name);
  for (hssize_t i = 0; i < n; ++i) {
    out.push_back(trim_nul(buf.substr(static_cast<std::size_t>(i) * size, size)));
  }
  return out;
}

std::string read_string(const File& file, const std::string& name) {
  auto v = read_strings(file, name);
  if (v.empty())
    throw FormatError("empty string dataset", file.path(), name);
  return v[0];
}

void write_dataset(File& file, const std::string& name, hid_t file_type, hid_t mem_type,
                   const std::vector<std::uint64_t>& dims, const void* data, bool writer) {
  std::vector<hsize_t> d(dims.begin(), dims.end());
  Handle space(dims.empty()
                   ? h5check(H5Screate(H5S_SCALAR), "H5Screate", file.path(), name)
                   : h5check(H5Screate_simple(static_cast<int>(d.size()), d.data(), nullptr),
                             "H5Screate_simple", file.path(), name));
  Handle ds(h5check(H5Dcreate2(file.id(), name.c_str(), file_type, space.id(), H5P_DEFAULT,
                               H5P_DEFAULT, H5P_DEFAULT),
                    "H5Dcreate", file.path(), name));
  std::uint64_t n = 1;
  for (auto x : dims)
    n *= x;
  if (n == 0)
    return;
  Handle dxpl(h5check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate", file.path(), name));
  if (file.parallel()) {
    h5check(H5Pset_dxpl_mpio(dxpl.id(), H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", file.path(),
            name);
  }
  Handle mem(h5check(H5Scopy(space.id()), "H5Scopy", file.path(), name));
  if (!writer) {
    h5check(H5Sselect_none(space.id()), "H5Sselect_none", file.path(), name);
    h5check(H5Sselect_none(mem.id()), "H5Sselect_none", file.path(), name);
  }
  static const char dummy[16] = {};
  h5check(H5Dwrite(ds.id(), mem_type, mem.id(), space.id(), dxpl.id(), writer ? data : dummy),
          "H5Dwrite", file.path(), name);
}

void write_doubles(File& file, const std::string& name, const std::vector<double>& values,
                   const std::vector<std::uint64_t>& dims, bool writer) {
  write_dataset(file, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims, values.data(), writer);
}
void write_ints(File& file, const std::string& name, const std::vector<std::int64_t>& values,
                const std::vector<std::uint64_t>& dims, bool writer) {
  write_dataset(file, name, H5T_STD_I64LE, H5T_NATIVE_INT64, dims, values.data(), writer);
}
void write_double(File& file, const std::string& name, double value, bool writer) {
  write_dataset(file, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}, &value, writer);
}
void write_int(File& file, const std::string& name, std::int64_t value, bool writer) {
  write_dataset(file, name, H5T_STD_I64LE, H5T_NATIVE_INT64, {}, &value, writer);
}

void write_strings(File& file, const std::string& name, const std::vector<std::string>& values,
                   bool writer) {
  std::size_t width = 1;
  for (const auto& s : values)
    width = std::max(width, s.size());
  Handle type(h5check(H5Tcopy(H5T_C_S1), "H5Tcopy", file.path(), name));
  h5check(H5Tset_size(type.id(), width), "H5Tset_size", file.path(), name);
  h5check(H5Tset_strpad(type.id(), H5T_STR_NULLPAD), "H5Tset_strpad", file.path(), name);
  std::string buf(width * values.size(), '\0');
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::memcpy(buf.data() + i * width, values[i].data(), values[i].size());
  }
  write_dataset(file, name, type.id(), type.id(), {values.size()}, buf.data(), writer);
}

void write_string(File& file, const std::string& name, const std::string& value, bool writer) {
  const std::size_t width = std::max<std::size_t>(1, value.size());
  Handle type(h5check(H5Tcopy(H5T_C_S1), "H5Tcopy", file.path(), name));
  h5check(H5Tset_size(type.id(), width), "H5Tset_size", file.path(), name);
  h5check(H5Tset_strpad(type.id(), H5T_STR_NULLPAD), "H5Tset_strpad", file.path(), name);
  std::string buf(width, '\0');
  std::memcpy(buf.data(), value.data(), value.size());
  write_dataset(file, name, type.id(), type.id(), {}, buf.data(), writer);
}

Handle bool_enum_type() {
  Handle t(h5check(H5Tenum_create(H5T_NATIVE_INT8), "H5Tenum_create", "", "bool"));
  signed char v = 0;
  H5Tenum_insert(t.id(), "FALSE", &v);
  v = 1;
  H5Tenum_insert(t.id(), "TRUE", &v);
  return t;
}

Handle complex_float_type() {
  Handle t(h5check(H5Tcreate(H5T_COMPOUND, 8), "H5Tcreate", "", "visdata"));
  H5Tinsert(t.id(), "r", 0, H5T_NATIVE_FLOAT);
  H5Tinsert(t.id(), "i", 4, H5T_NATIVE_FLOAT);
  return t;
}

}  // namespace tessera::io::h5
