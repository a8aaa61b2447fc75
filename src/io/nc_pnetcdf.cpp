// CDF-5 files through PnetCDF: the NcBackend of NcFormat::kCdf5 (see
// src/io/nc_backend.hpp). Puts are PnetCDF's own non-blocking requests,
// completed by ncmpi_wait_all (collective) or ncmpi_wait (independent mode).
#include <pnetcdf.h>

#include <algorithm>
#include <utility>

#include "nc_backend.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/mpiio_hints.hpp"

namespace tessera::io {

namespace {

/// Throws IoError(file, variable, "<what>: <ncmpi_strerror>") when status != NC_NOERR.
void nccheck(int status, const char* what, const std::string& file,
             const std::string& variable = {}) {
  if (status == NC_NOERR)
    return;
  throw IoError(std::string(what) + ": " + ncmpi_strerror(status), file, variable);
}

nc_type to_nc(NcType t) {
  switch (t) {
    case NcType::kInt:
      return NC_INT;
    case NcType::kFloat:
      return NC_FLOAT;
    case NcType::kDouble:
      break;
  }
  return NC_DOUBLE;
}

class PnetcdfBackend final : public NcBackend {
 public:
  PnetcdfBackend(int ncid, std::string path) : ncid_(ncid), path_(std::move(path)) {}
  ~PnetcdfBackend() override { close_quietly(); }

  NcFormat format() const override { return NcFormat::kCdf5; }

  int def_dim(const std::string& name, std::int64_t length) override {
    int id = -1;
    nccheck(ncmpi_def_dim(ncid_, name.c_str(), static_cast<MPI_Offset>(length), &id), "def_dim",
            path_, name);
    return id;
  }

  int def_var(const std::string& name, NcType type, const std::vector<int>& dims,
              const NcStorage& /*classic files have no chunks or filters*/) override {
    int id = -1;
    nccheck(ncmpi_def_var(ncid_, name.c_str(), to_nc(type), static_cast<int>(dims.size()),
                          dims.data(), &id),
            "def_var", path_, name);
    return id;
  }

  void put_att(int varid, const std::string& name, const std::string& text) override {
    nccheck(ncmpi_put_att_text(ncid_, varid, name.c_str(), static_cast<MPI_Offset>(text.size()),
                               text.c_str()),
            ("put_att " + name).c_str(), path_, var_name(varid));
  }

  void put_att(int varid, const std::string& name, NcType type, const void* values,
               std::size_t n) override {
    const auto len = static_cast<MPI_Offset>(n);
    int rc = NC_NOERR;
    switch (type) {
      case NcType::kInt:
        rc = ncmpi_put_att_int(ncid_, varid, name.c_str(), NC_INT, len,
                               static_cast<const int*>(values));
        break;
      case NcType::kFloat:
        rc = ncmpi_put_att_float(ncid_, varid, name.c_str(), NC_FLOAT, len,
                                 static_cast<const float*>(values));
        break;
      case NcType::kDouble:
        rc = ncmpi_put_att_double(ncid_, varid, name.c_str(), NC_DOUBLE, len,
                                  static_cast<const double*>(values));
        break;
    }
    nccheck(rc, ("put_att " + name).c_str(), path_, var_name(varid));
  }

  void enddef() override { nccheck(ncmpi_enddef(ncid_), "enddef", path_); }

  void iput(int varid, const NcIndex& start, const NcIndex& count, NcType type,
            const void* data) override {
    int req = NC_REQ_NULL;
    const int rc = type == NcType::kFloat
                       ? ncmpi_iput_vara_float(ncid_, varid, start.data(), count.data(),
                                               static_cast<const float*>(data), &req)
                       : ncmpi_iput_vara_double(ncid_, varid, start.data(), count.data(),
                                                static_cast<const double*>(data), &req);
    nccheck(rc, "iput_vara", path_, var_name(varid));
    requests_.push_back(req);
  }

  void complete(bool collective) override {
    std::vector<int> statuses(requests_.size(), NC_NOERR);
    const int n = static_cast<int>(requests_.size());
    const int rc = collective ? ncmpi_wait_all(ncid_, n, requests_.data(), statuses.data())
                              : ncmpi_wait(ncid_, n, requests_.data(), statuses.data());
    requests_.clear();
    nccheck(rc, collective ? "wait_all" : "wait", path_);
    for (int s : statuses)
      nccheck(s, "non-blocking write", path_);
  }

  void get(int varid, const NcIndex& start, const NcIndex& count, NcType type, void* data,
           bool collective) const override {
    int rc = NC_NOERR;
    if (type == NcType::kFloat) {
      auto* p = static_cast<float*>(data);
      rc = collective ? ncmpi_get_vara_float_all(ncid_, varid, start.data(), count.data(), p)
                      : ncmpi_get_vara_float(ncid_, varid, start.data(), count.data(), p);
    } else {
      auto* p = static_cast<double*>(data);
      rc = collective ? ncmpi_get_vara_double_all(ncid_, varid, start.data(), count.data(), p)
                      : ncmpi_get_vara_double(ncid_, varid, start.data(), count.data(), p);
    }
    nccheck(rc, collective ? "get_vara_all" : "get_vara", path_, var_name(varid));
  }

  void begin_independent() override {
    nccheck(ncmpi_begin_indep_data(ncid_), "begin_indep_data", path_);
  }
  bool writes_independently() const override { return true; }

  int varid(const std::string& name) const override {
    int id = -1;
    nccheck(ncmpi_inq_varid(ncid_, name.c_str(), &id), "no such variable", path_, name);
    return id;
  }

  bool has_var(const std::string& name) const override {
    int id = -1;
    return ncmpi_inq_varid(ncid_, name.c_str(), &id) == NC_NOERR;
  }

  std::int64_t dim_length(const std::string& name) const override {
    int id = -1;
    nccheck(ncmpi_inq_dimid(ncid_, name.c_str(), &id), "no such dimension", path_, name);
    MPI_Offset len = 0;
    nccheck(ncmpi_inq_dimlen(ncid_, id, &len), "inq_dimlen", path_, name);
    return static_cast<std::int64_t>(len);
  }

  bool has_att(int varid, const std::string& name) const override {
    MPI_Offset len = 0;
    return ncmpi_inq_attlen(ncid_, varid, name.c_str(), &len) == NC_NOERR;
  }

  std::string att_text(int varid, const std::string& name) const override {
    MPI_Offset len = 0;
    nccheck(ncmpi_inq_attlen(ncid_, varid, name.c_str(), &len), ("no attribute " + name).c_str(),
            path_, var_name(varid));
    std::string s(static_cast<std::size_t>(len), '\0');
    nccheck(ncmpi_get_att_text(ncid_, varid, name.c_str(), s.data()), "get_att_text", path_,
            var_name(varid));
    return s;
  }

  std::vector<double> att_doubles(int varid, const std::string& name) const override {
    MPI_Offset len = 0;
    nccheck(ncmpi_inq_attlen(ncid_, varid, name.c_str(), &len), ("no attribute " + name).c_str(),
            path_, var_name(varid));
    std::vector<double> v(static_cast<std::size_t>(len));
    nccheck(ncmpi_get_att_double(ncid_, varid, name.c_str(), v.data()), "get_att_double", path_,
            var_name(varid));
    return v;
  }

  std::string var_name(int varid) const override {
    if (varid == NC_GLOBAL)
      return "global attributes";
    char name[NC_MAX_NAME + 1] = {0};
    if (ncmpi_inq_varname(ncid_, varid, name) != NC_NOERR)
      return "variable " + std::to_string(varid);
    return name;
  }

  std::int64_t data_end() const override {
    int nvars = 0, unlimited = -1;
    if (ncmpi_inq_nvars(ncid_, &nvars) != NC_NOERR ||
        ncmpi_inq_unlimdim(ncid_, &unlimited) != NC_NOERR)
      return 0;
    std::int64_t end = 0;
    for (int v = 0; v < nvars; ++v) {
      int ndims = 0;
      nc_type type = NC_NAT;
      MPI_Offset offset = 0;
      if (ncmpi_inq_varndims(ncid_, v, &ndims) != NC_NOERR ||
          ncmpi_inq_vartype(ncid_, v, &type) != NC_NOERR ||
          ncmpi_inq_varoffset(ncid_, v, &offset) != NC_NOERR)
        return 0;
      std::vector<int> dims(static_cast<std::size_t>(ndims));
      if (ncmpi_inq_vardimid(ncid_, v, dims.data()) != NC_NOERR)
        return 0;
      MPI_Offset bytes = 0;  // external (file) size of one element, CDF-5 types
      switch (type) {
        case NC_BYTE:
        case NC_CHAR:
        case NC_UBYTE:
          bytes = 1;
          break;
        case NC_SHORT:
        case NC_USHORT:
          bytes = 2;
          break;
        case NC_INT:
        case NC_UINT:
        case NC_FLOAT:
          bytes = 4;
          break;
        case NC_DOUBLE:
        case NC_INT64:
        case NC_UINT64:
          bytes = 8;
          break;
        default:
          return 0;
      }
      for (int d : dims) {
        MPI_Offset len = 0;
        if (d == unlimited || ncmpi_inq_dimlen(ncid_, d, &len) != NC_NOERR)
          return 0;
        bytes *= len;
      }
      end = std::max<std::int64_t>(end, offset + bytes);
    }
    return end;
  }

  bool is_open() const override { return ncid_ >= 0; }

  void close() override {
    if (ncid_ < 0)
      return;
    const int id = std::exchange(ncid_, -1);
    nccheck(ncmpi_close(id), "close", path_);
  }

  void close_quietly() noexcept override {
    if (ncid_ >= 0)
      ncmpi_close(std::exchange(ncid_, -1));
  }

 private:
  int ncid_ = -1;
  std::string path_;
  std::vector<int> requests_;
};

}  // namespace

std::unique_ptr<NcBackend> pnetcdf_create(MPI_Comm comm, const std::filesystem::path& path) {
  int ncid = -1;
  const MpiioInfo hints;  // striping and buffering hints (core/mpiio_hints.hpp)
  // CDF-5 (NC_64BIT_DATA): variables larger than 4 GiB and 64-bit dimensions.
  nccheck(ncmpi_create(comm, path.c_str(), NC_CLOBBER | NC_64BIT_DATA, hints.get(), &ncid),
          "cannot create NetCDF file", path.string());
  auto f = std::make_unique<PnetcdfBackend>(ncid, path.string());
  // Every element is written explicitly; skipping the fill pass halves the I/O.
  int old_mode = 0;
  nccheck(ncmpi_set_fill(ncid, NC_NOFILL, &old_mode), "set_fill", path.string());
  return f;
}

std::unique_ptr<NcBackend> pnetcdf_open(MPI_Comm comm, const std::filesystem::path& path) {
  int ncid = -1;
  const MpiioInfo hints;
  nccheck(ncmpi_open(comm, path.c_str(), NC_NOWRITE, hints.get(), &ncid), "cannot open NetCDF file",
          path.string());
  return std::make_unique<PnetcdfBackend>(ncid, path.string());
}

}  // namespace tessera::io
