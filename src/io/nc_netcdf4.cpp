// NetCDF-4 files through netcdf-c's parallel API (parallel HDF5 underneath):
// the NcBackend of NcFormat::kNetcdf4 (see src/io/nc_backend.hpp).
//
// netcdf-c has no non-blocking puts, and HDF5 writes filtered (compressed)
// datasets only collectively: every rank must take part in every
// H5Dwrite of a dataset, each with its own selection, possibly empty
// (HDF5 1.10.2+ "parallel compression"; netcdf-c's NC_HAS_PAR_FILTERS). So
// iput() queues, and wait_all() first agrees across ranks on how many puts
// each variable needs (the largest number any rank queued) and then issues
// them in variable order, ranks with fewer requests joining with empty ones.
// The chunks a rank writes are compressed by that rank.
#include <netcdf.h>
#include <netcdf_meta.h>
#include <netcdf_par.h>

#include <malloc.h>

#include <algorithm>
#include <mutex>
#include <utility>

#include "nc_backend.hpp"
#include "nc_netcdf4_common.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/mpi.hpp"
#include "tessera/core/mpiio_hints.hpp"

#if !defined(NC_HAS_PARALLEL4) || !NC_HAS_PARALLEL4
#error \
    "Tessera needs netcdf-c built with parallel HDF5 (Debian libnetcdf-mpi-dev, Spack netcdf-c+mpi)"
#endif

namespace tessera::io {

namespace {

void nccheck(int status, const std::string& what, const std::string& file,
             const std::string& variable = {}) {
  if (status == NC_NOERR)
    return;
  std::string message = what + ": " + nc_strerror(status);
  if (status == NC_EFILTER || status == NC_ENOFILTER)
    message += " (the HDF5 filter is not available to this netcdf-c)";
  throw IoError(message, file, variable);
}

std::vector<std::size_t> to_size(const NcIndex& v) {
  return {v.begin(), v.end()};
}

class Netcdf4Backend final : public NcBackend {
 public:
  Netcdf4Backend(MPI_Comm comm, int ncid, std::string path, NcCreateOptions options)
      : comm_(comm), ncid_(ncid), path_(std::move(path)), options_(options) {}
  ~Netcdf4Backend() override { close_quietly(); }

  NcFormat format() const override { return NcFormat::kNetcdf4; }

  int def_dim(const std::string& name, std::int64_t length) override {
    int id = -1;
    nccheck(nc_def_dim(ncid_, name.c_str(), static_cast<std::size_t>(length), &id), "def_dim",
            path_, name);
    return id;
  }

  int def_var(const std::string& name, NcType type, const std::vector<int>& dims,
              const NcStorage& storage) override {
    int id = -1;
    nccheck(nc_def_var(ncid_, name.c_str(), nc4::to_nc(type), static_cast<int>(dims.size()),
                       dims.data(), &id),
            "def_var", path_, name);
    if (dims.empty())
      return id;  // scalars have one layout
    if (storage.chunk.empty()) {
      nccheck(nc_def_var_chunking(ncid_, id, NC_CONTIGUOUS, nullptr), "def_var_chunking", path_,
              name);
      return id;
    }
    if (storage.chunk.size() != dims.size())
      throw UsageError("chunk shape has the wrong rank", path_, name);
    std::vector<std::size_t> chunk(storage.chunk.begin(), storage.chunk.end());
    nccheck(nc_def_var_chunking(ncid_, id, NC_CHUNKED, chunk.data()), "def_var_chunking", path_,
            name);
    if (storage.compress && options_.deflate_level > 0) {
      nccheck(nc_def_var_deflate(ncid_, id, options_.shuffle ? 1 : 0, 1, options_.deflate_level),
              "def_var_deflate", path_, name);
    } else if (storage.compress && options_.shuffle) {
      nccheck(nc_def_var_deflate(ncid_, id, 1, 0, 0), "def_var_deflate (shuffle)", path_, name);
    }
    return id;
  }

  void put_att(int varid, const std::string& name, const std::string& text) override {
    nccheck(nc_put_att_text(ncid_, varid, name.c_str(), text.size(), text.c_str()),
            "put_att " + name, path_, var_name(varid));
  }

  void put_att(int varid, const std::string& name, NcType type, const void* values,
               std::size_t n) override {
    const int rc = nc4::put_att(ncid_, varid, name, type, values, n);
    nccheck(rc, "put_att " + name, path_, var_name(varid));
  }

  void enddef() override {
    nccheck(nc_enddef(ncid_), "enddef", path_);
    set_access(NC_COLLECTIVE);
  }

  void iput(int varid, const NcIndex& start, const NcIndex& count, NcType type,
            const void* data) override {
    if (independent_)
      throw IoError(
          "independent writes are not possible in NetCDF-4 files (HDF5 writes "
          "compressed variables collectively)",
          path_, var_name(varid));
    queued_.push_back({varid, to_size(start), to_size(count), type, data});
  }

  void complete(bool collective) override {
    if (!collective) {
      queued_.clear();
      throw IoError("independent writes are not possible in NetCDF-4 files", path_);
    }
    std::vector<Put> queued = std::move(queued_);
    queued_.clear();
    int nvars = 0;
    nccheck(nc_inq_nvars(ncid_, &nvars), "inq_nvars", path_);
    // Puts per variable on this rank, then the most any rank has: every rank
    // issues that many for each variable (the collective calls must match).
    std::vector<std::int32_t> most(static_cast<std::size_t>(nvars), 0);
    for (const auto& p : queued)
      ++most[static_cast<std::size_t>(p.varid)];
    Comm(comm_).allreduce(most, ReduceOp::max);
    int first_error = NC_NOERR;
    std::string failed_var;
    for (int v = 0; v < nvars; ++v) {
      std::vector<const Put*> puts;
      for (const auto& p : queued) {
        if (p.varid == v)
          puts.push_back(&p);
      }
      for (int k = 0; k < most[static_cast<std::size_t>(v)]; ++k) {
        int rc = NC_NOERR;
        if (k < static_cast<int>(puts.size())) {
          rc = put(*puts[static_cast<std::size_t>(k)]);
        } else {
          rc = put_nothing(v);
        }
        // A failed put still leaves this rank in the remaining collectives.
        if (rc != NC_NOERR && first_error == NC_NOERR) {
          first_error = rc;
          failed_var = var_name(v);
        }
      }
    }
    nccheck(first_error, "put_vara (collective)", path_, failed_var);
  }

  // After begin_independent() the handle is a serial one: a "collective" read
  // is then every rank reading for itself, which is what it asks for anyway.
  void get(int varid, const NcIndex& start, const NcIndex& count, NcType type, void* data,
           bool collective) const override {
    const auto s = to_size(start), c = to_size(count);
    const int rc =
        type == NcType::kFloat
            ? nc_get_vara_float(ncid_, varid, s.data(), c.data(), static_cast<float*>(data))
            : nc_get_vara_double(ncid_, varid, s.data(), c.data(), static_cast<double*>(data));
    nccheck(rc, collective ? "get_vara (collective)" : "get_vara", path_, var_name(varid));
  }

  void opened_for_reading() {
    read_only_ = true;
    set_access(NC_COLLECTIVE);  // netcdf-c opens with independent access; get_all is collective
  }

  // netcdf-c refuses independent access to filtered variables even in a
  // read-only file (nc_var_par_access: NC_EINVAL), so a file opened for
  // reading is reopened on every rank without MPI-IO: each rank then reads at
  // its own pace through HDF5's serial driver. Writing stays collective.
  void begin_independent() override {
    if (!read_only_)
      throw IoError("independent mode is for reading NetCDF-4 files; writes are collective", path_);
    nccheck(nc_close(std::exchange(ncid_, -1)), "close (parallel handle)", path_);
    nccheck(nc_open(path_.c_str(), NC_NOWRITE, &ncid_), "cannot reopen NetCDF-4 file", path_);
    independent_ = true;
  }
  bool writes_independently() const override { return false; }

  int varid(const std::string& name) const override {
    int id = -1;
    nccheck(nc_inq_varid(ncid_, name.c_str(), &id), "no such variable", path_, name);
    return id;
  }

  bool has_var(const std::string& name) const override {
    int id = -1;
    return nc_inq_varid(ncid_, name.c_str(), &id) == NC_NOERR;
  }

  std::int64_t dim_length(const std::string& name) const override {
    int id = -1;
    nccheck(nc_inq_dimid(ncid_, name.c_str(), &id), "no such dimension", path_, name);
    std::size_t len = 0;
    nccheck(nc_inq_dimlen(ncid_, id, &len), "inq_dimlen", path_, name);
    return static_cast<std::int64_t>(len);
  }

  bool has_att(int varid, const std::string& name) const override {
    std::size_t len = 0;
    return nc_inq_attlen(ncid_, varid, name.c_str(), &len) == NC_NOERR;
  }

  std::string att_text(int varid, const std::string& name) const override {
    std::size_t len = 0;
    nccheck(nc_inq_attlen(ncid_, varid, name.c_str(), &len), "no attribute " + name, path_,
            var_name(varid));
    std::string s(len, '\0');
    nccheck(nc_get_att_text(ncid_, varid, name.c_str(), s.data()), "get_att_text", path_,
            var_name(varid));
    return s;
  }

  std::vector<double> att_doubles(int varid, const std::string& name) const override {
    std::size_t len = 0;
    nccheck(nc_inq_attlen(ncid_, varid, name.c_str(), &len), "no attribute " + name, path_,
            var_name(varid));
    std::vector<double> v(len);
    nccheck(nc_get_att_double(ncid_, varid, name.c_str(), v.data()), "get_att_double", path_,
            var_name(varid));
    return v;
  }

  std::string var_name(int varid) const override {
    if (varid == NC_GLOBAL)
      return "global attributes";
    char name[NC_MAX_NAME + 1] = {0};
    if (nc_inq_varname(ncid_, varid, name) != NC_NOERR)
      return "variable " + std::to_string(varid);
    return name;
  }

  std::int64_t data_end() const override { return 0; }

  bool is_open() const override { return ncid_ >= 0; }

  void close() override {
    if (ncid_ < 0)
      return;
    const int id = std::exchange(ncid_, -1);
    nccheck(nc_close(id), "close", path_);
  }

  void close_quietly() noexcept override {
    if (ncid_ >= 0)
      nc_close(std::exchange(ncid_, -1));
  }

 private:
  struct Put {
    int varid;
    std::vector<std::size_t> start, count;
    NcType type;
    const void* data;
  };

  int put(const Put& p) {
    return p.type == NcType::kFloat
               ? nc_put_vara_float(ncid_, p.varid, p.start.data(), p.count.data(),
                                   static_cast<const float*>(p.data))
               : nc_put_vara_double(ncid_, p.varid, p.start.data(), p.count.data(),
                                    static_cast<const double*>(p.data));
  }

  // This rank's share of a collective write it has no data for: an empty
  // selection (count 0 on every axis).
  int put_nothing(int varid) {
    int ndims = 0;
    if (const int rc = nc_inq_varndims(ncid_, varid, &ndims); rc != NC_NOERR)
      return rc;
    std::vector<std::size_t> zero(static_cast<std::size_t>(std::max(ndims, 1)), 0);
    double dummy = 0;
    nc_type type = NC_NAT;
    if (const int rc = nc_inq_vartype(ncid_, varid, &type); rc != NC_NOERR)
      return rc;
    if (type == NC_FLOAT) {
      float f = 0;
      return nc_put_vara_float(ncid_, varid, zero.data(), zero.data(), &f);
    }
    if (type == NC_INT) {
      int i = 0;
      return nc_put_vara_int(ncid_, varid, zero.data(), zero.data(), &i);
    }
    return nc_put_vara_double(ncid_, varid, zero.data(), zero.data(), &dummy);
  }

  void set_access(int mode) {
    int nvars = 0;
    nccheck(nc_inq_nvars(ncid_, &nvars), "inq_nvars", path_);
    for (int v = 0; v < nvars; ++v)
      nccheck(nc_var_par_access(ncid_, v, mode), "var_par_access", path_, var_name(v));
  }

  MPI_Comm comm_;
  int ncid_ = -1;
  std::string path_;
  NcCreateOptions options_;
  bool read_only_ = false;
  bool independent_ = false;
  std::vector<Put> queued_;
};

}  // namespace

namespace {

// HDF5 allocates and frees a chunk-sized buffer (and the filter's output
// buffer) for every chunk it writes: 1 MB at a 512 x 512 float tile. Above
// glibc's mmap threshold each one is a fresh mmap whose pages fault in on
// first touch and are unmapped on free; below it, freeing at the top of the
// heap trims it straight back. Measured on the medium grid (4 x 365 chunks of
// 1.2 MB, deflate 3, 1 rank): user 14.8 s + system 7.7 s with glibc's
// defaults, 7.5 s + 0.3 s with buffers up to 32 MiB kept on the heap and up
// to 8 MiB of free heap top kept (the same with 64 MiB); peak RSS unchanged
// (75 MB before the process also linked casacore, 87 MB after). mallopt
// (malloc.h) is process-wide and set once, when the first NetCDF-4 file is
// created.
void keep_chunk_buffers() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 8 << 20);
  });
}

}  // namespace

std::unique_ptr<NcBackend> netcdf4_create(MPI_Comm comm, const std::filesystem::path& path,
                                          const NcCreateOptions& options) {
  keep_chunk_buffers();
  int ncid = -1;
  const MpiioInfo hints;  // passed on to HDF5's MPI-IO driver (core/mpiio_hints.hpp)
  nccheck(nc_create_par(path.c_str(), NC_CLOBBER | NC_NETCDF4, comm, hints.get(), &ncid),
          "cannot create NetCDF-4 file", path.string());
  auto f = std::make_unique<Netcdf4Backend>(comm, ncid, path.string(), options);
  // Every element is written explicitly: no fill pass.
  int old_mode = 0;
  nccheck(nc_set_fill(ncid, NC_NOFILL, &old_mode), "set_fill", path.string());
  return f;
}

std::unique_ptr<NcBackend> netcdf4_open(MPI_Comm comm, const std::filesystem::path& path) {
  int ncid = -1;
  const MpiioInfo hints;
  nccheck(nc_open_par(path.c_str(), NC_NOWRITE, comm, hints.get(), &ncid),
          "cannot open NetCDF-4 file (truncated or damaged?)", path.string());
  auto f = std::make_unique<Netcdf4Backend>(comm, ncid, path.string(), NcCreateOptions{});
  f->opened_for_reading();
  return f;
}

}  // namespace tessera::io
