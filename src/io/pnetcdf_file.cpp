// RAII over PnetCDF; see include/tessera/io/pnetcdf_file.hpp.
#include "tessera/io/pnetcdf_file.hpp"

#include <algorithm>

#include <utility>

#include "tessera/core/error.hpp"

namespace tessera::io {

void nccheck(int status, const char* what, const std::string& file, const std::string& variable) {
  if (status == NC_NOERR)
    return;
  throw IoError(std::string(what) + ": " + ncmpi_strerror(status), file, variable);
}

NcFile::~NcFile() {
  if (ncid_ >= 0)
    ncmpi_close(ncid_);
}

NcFile::NcFile(NcFile&& other) noexcept
    : ncid_(std::exchange(other.ncid_, -1)),
      path_(std::move(other.path_)),
      requests_(std::move(other.requests_)) {}

NcFile& NcFile::operator=(NcFile&& other) noexcept {
  if (this != &other) {
    if (ncid_ >= 0)
      ncmpi_close(ncid_);
    ncid_ = std::exchange(other.ncid_, -1);
    path_ = std::move(other.path_);
    requests_ = std::move(other.requests_);
  }
  return *this;
}

NcFile NcFile::create(MPI_Comm comm, const std::filesystem::path& path) {
  int ncid = -1;
  // CDF-5 (NC_64BIT_DATA): variables larger than 4 GiB and 64-bit dimensions.
  nccheck(ncmpi_create(comm, path.c_str(), NC_CLOBBER | NC_64BIT_DATA, MPI_INFO_NULL, &ncid),
          "cannot create NetCDF file", path.string());
  NcFile f(ncid, path.string());
  // Every element is written explicitly; skipping the fill pass halves the I/O.
  int old_mode = 0;
  nccheck(ncmpi_set_fill(ncid, NC_NOFILL, &old_mode), "set_fill", f.path_);
  return f;
}

NcFile NcFile::open(MPI_Comm comm, const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw IoError("no such file", path.string());
  int ncid = -1;
  nccheck(ncmpi_open(comm, path.c_str(), NC_NOWRITE, MPI_INFO_NULL, &ncid),
          "cannot open NetCDF file", path.string());
  return NcFile(ncid, path.string());
}

int NcFile::def_dim(const std::string& name, std::int64_t length) {
  int id = -1;
  nccheck(ncmpi_def_dim(ncid_, name.c_str(), static_cast<MPI_Offset>(length), &id), "def_dim",
          path_, name);
  return id;
}

int NcFile::def_var(const std::string& name, nc_type type, const std::vector<int>& dims) {
  int id = -1;
  nccheck(ncmpi_def_var(ncid_, name.c_str(), type, static_cast<int>(dims.size()), dims.data(), &id),
          "def_var", path_, name);
  return id;
}

std::string NcFile::var_name(int varid) const {
  if (varid == NC_GLOBAL)
    return "global attributes";
  char name[NC_MAX_NAME + 1] = {0};
  if (ncmpi_inq_varname(ncid_, varid, name) != NC_NOERR)
    return "variable " + std::to_string(varid);
  return name;
}

void NcFile::put_att(int varid, const std::string& name, const std::string& text) {
  nccheck(ncmpi_put_att_text(ncid_, varid, name.c_str(), static_cast<MPI_Offset>(text.size()),
                             text.c_str()),
          ("put_att " + name).c_str(), path_, var_name(varid));
}
void NcFile::put_att(int varid, const std::string& name, double value) {
  nccheck(ncmpi_put_att_double(ncid_, varid, name.c_str(), NC_DOUBLE, 1, &value),
          ("put_att " + name).c_str(), path_, var_name(varid));
}
void NcFile::put_att(int varid, const std::string& name, float value) {
  nccheck(ncmpi_put_att_float(ncid_, varid, name.c_str(), NC_FLOAT, 1, &value),
          ("put_att " + name).c_str(), path_, var_name(varid));
}
void NcFile::put_att(int varid, const std::string& name, int value) {
  nccheck(ncmpi_put_att_int(ncid_, varid, name.c_str(), NC_INT, 1, &value),
          ("put_att " + name).c_str(), path_, var_name(varid));
}
void NcFile::put_att(int varid, const std::string& name, const std::vector<double>& values) {
  nccheck(ncmpi_put_att_double(ncid_, varid, name.c_str(), NC_DOUBLE,
                               static_cast<MPI_Offset>(values.size()), values.data()),
          ("put_att " + name).c_str(), path_, var_name(varid));
}

void NcFile::enddef() {
  nccheck(ncmpi_enddef(ncid_), "enddef", path_);
}

void NcFile::iput(int varid, const std::vector<MPI_Offset>& start,
                  const std::vector<MPI_Offset>& count, const float* data) {
  int req = NC_REQ_NULL;
  nccheck(ncmpi_iput_vara_float(ncid_, varid, start.data(), count.data(), data, &req),
          "iput_vara_float", path_, var_name(varid));
  requests_.push_back(req);
}

void NcFile::iput(int varid, const std::vector<MPI_Offset>& start,
                  const std::vector<MPI_Offset>& count, const double* data) {
  int req = NC_REQ_NULL;
  nccheck(ncmpi_iput_vara_double(ncid_, varid, start.data(), count.data(), data, &req),
          "iput_vara_double", path_, var_name(varid));
  requests_.push_back(req);
}

void NcFile::wait_all() {
  complete(true);
}

void NcFile::wait() {
  complete(false);
}

void NcFile::complete(bool collective) {
  std::vector<int> statuses(requests_.size(), NC_NOERR);
  const int n = static_cast<int>(requests_.size());
  const int rc = collective ? ncmpi_wait_all(ncid_, n, requests_.data(), statuses.data())
                            : ncmpi_wait(ncid_, n, requests_.data(), statuses.data());
  requests_.clear();
  nccheck(rc, collective ? "wait_all" : "wait", path_);
  for (int s : statuses)
    nccheck(s, "non-blocking write", path_);
}

void NcFile::get_all(int varid, const std::vector<MPI_Offset>& start,
                     const std::vector<MPI_Offset>& count, float* data) const {
  nccheck(ncmpi_get_vara_float_all(ncid_, varid, start.data(), count.data(), data),
          "get_vara_float_all", path_, var_name(varid));
}

void NcFile::get_all(int varid, const std::vector<MPI_Offset>& start,
                     const std::vector<MPI_Offset>& count, double* data) const {
  nccheck(ncmpi_get_vara_double_all(ncid_, varid, start.data(), count.data(), data),
          "get_vara_double_all", path_, var_name(varid));
}

void NcFile::begin_independent() {
  nccheck(ncmpi_begin_indep_data(ncid_), "begin_indep_data", path_);
}

void NcFile::get(int varid, const std::vector<MPI_Offset>& start,
                 const std::vector<MPI_Offset>& count, float* data) const {
  nccheck(ncmpi_get_vara_float(ncid_, varid, start.data(), count.data(), data), "get_vara_float",
          path_, var_name(varid));
}

int NcFile::varid(const std::string& name) const {
  int id = -1;
  nccheck(ncmpi_inq_varid(ncid_, name.c_str(), &id), "no such variable", path_, name);
  return id;
}

bool NcFile::has_var(const std::string& name) const {
  int id = -1;
  return ncmpi_inq_varid(ncid_, name.c_str(), &id) == NC_NOERR;
}

std::int64_t NcFile::dim_length(const std::string& name) const {
  int id = -1;
  nccheck(ncmpi_inq_dimid(ncid_, name.c_str(), &id), "no such dimension", path_, name);
  MPI_Offset len = 0;
  nccheck(ncmpi_inq_dimlen(ncid_, id, &len), "inq_dimlen", path_, name);
  return static_cast<std::int64_t>(len);
}

bool NcFile::has_att(int varid, const std::string& name) const {
  MPI_Offset len = 0;
  return ncmpi_inq_attlen(ncid_, varid, name.c_str(), &len) == NC_NOERR;
}

std::string NcFile::att_text(int varid, const std::string& name) const {
  MPI_Offset len = 0;
  nccheck(ncmpi_inq_attlen(ncid_, varid, name.c_str(), &len), ("no attribute " + name).c_str(),
          path_, var_name(varid));
  std::string s(static_cast<std::size_t>(len), '\0');
  nccheck(ncmpi_get_att_text(ncid_, varid, name.c_str(), s.data()), "get_att_text", path_,
          var_name(varid));
  return s;
}

std::vector<double> NcFile::att_doubles(int varid, const std::string& name) const {
  MPI_Offset len = 0;
  nccheck(ncmpi_inq_attlen(ncid_, varid, name.c_str(), &len), ("no attribute " + name).c_str(),
          path_, var_name(varid));
  std::vector<double> v(static_cast<std::size_t>(len));
  nccheck(ncmpi_get_att_double(ncid_, varid, name.c_str(), v.data()), "get_att_double", path_,
          var_name(varid));
  return v;
}

std::int64_t NcFile::data_end() const {
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

void NcFile::close() {
  if (ncid_ < 0)
    return;
  const int id = std::exchange(ncid_, -1);
  nccheck(ncmpi_close(id), "close", path_);
}

}  // namespace tessera::io
