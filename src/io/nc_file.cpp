// io::NcFile: the format-neutral face of nc_pnetcdf.cpp and nc_netcdf4.cpp;
// see include/tessera/io/nc_file.hpp.
#include "tessera/io/nc_file.hpp"

#include <array>
#include <cstring>
#include <fstream>
#include <memory>
#include <utility>

#include "nc_backend.hpp"
#include "tessera/core/error.hpp"

namespace tessera::io {

NcFormat parse_nc_format(const std::string& text) {
  if (text == "netcdf4")
    return NcFormat::kNetcdf4;
  if (text == "cdf5")
    return NcFormat::kCdf5;
  throw UsageError("--format must be netcdf4 or cdf5, not '" + text + "'");
}

const char* nc_format_name(NcFormat f) {
  return f == NcFormat::kNetcdf4 ? "netcdf4" : "cdf5";
}

namespace {

// The format from the first bytes: NetCDF classic "CDF" + version byte 1, 2
// or 5 (NetCDF classic format spec); NetCDF-4 is an HDF5 file, whose
// superblock signature sits at offset 0 in files netcdf-c writes (HDF5 spec
// allows 512, 1024, ... after a user block; netcdf-c writes none).
NcFormat sniff_format(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw IoError("cannot open for reading", path.string());
  std::array<char, 8> head{};
  in.read(head.data(), head.size());
  const auto got = in.gcount();
  if (got >= 4 && std::memcmp(head.data(), "CDF", 3) == 0 &&
      (head[3] == 1 || head[3] == 2 || head[3] == 5))
    return NcFormat::kCdf5;
  static constexpr std::array<unsigned char, 8> kHdf5 = {0x89, 'H',  'D',  'F',
                                                         '\r', '\n', 0x1a, '\n'};
  if (got == 8 && std::memcmp(head.data(), kHdf5.data(), 8) == 0)
    return NcFormat::kNetcdf4;
  throw FormatError("not a NetCDF file (neither a CDF-1/2/5 nor an HDF5 signature)", path.string());
}

}  // namespace

NcFile::NcFile() = default;
NcFile::~NcFile() {
  if (impl_ && impl_->is_open())
    impl_->close_quietly();
}
NcFile::NcFile(NcFile&& other) noexcept = default;
NcFile& NcFile::operator=(NcFile&& other) noexcept {
  if (this != &other) {
    if (impl_ && impl_->is_open())
      impl_->close_quietly();
    impl_ = std::move(other.impl_);
    path_ = std::move(other.path_);
  }
  return *this;
}
NcFile::NcFile(std::unique_ptr<NcBackend> impl, std::string path)
    : impl_(std::move(impl)), path_(std::move(path)) {}

NcFile NcFile::create(MPI_Comm comm, const std::filesystem::path& path,
                      const NcCreateOptions& options) {
  if (options.deflate_level < 0 || options.deflate_level > 9)
    throw UsageError("--deflate must be 0..9, not " + std::to_string(options.deflate_level));
  std::unique_ptr<NcBackend> impl;
  if (options.format == NcFormat::kCdf5)
    impl = pnetcdf_create(comm, path);
  else if (options.whole_chunks)
    impl = netcdf4_create_chunked(comm, path, options);
  else
    impl = netcdf4_create(comm, path, options);
  return NcFile(std::move(impl), path.string());
}

NcFile NcFile::open(MPI_Comm comm, const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw IoError("no such file", path.string());
  // Every rank sniffs the same bytes; the open below is collective on all.
  auto impl = sniff_format(path) == NcFormat::kNetcdf4 ? netcdf4_open(comm, path)
                                                       : pnetcdf_open(comm, path);
  return NcFile(std::move(impl), path.string());
}

int NcFile::def_dim(const std::string& name, std::int64_t length) {
  return impl_->def_dim(name, length);
}
int NcFile::def_var(const std::string& name, NcType type, const std::vector<int>& dims,
                    const NcStorage& storage) {
  return impl_->def_var(name, type, dims, storage);
}
void NcFile::put_att(int varid, const std::string& name, const std::string& text) {
  impl_->put_att(varid, name, text);
}
void NcFile::put_att(int varid, const std::string& name, double value) {
  impl_->put_att(varid, name, NcType::kDouble, &value, 1);
}
void NcFile::put_att(int varid, const std::string& name, float value) {
  impl_->put_att(varid, name, NcType::kFloat, &value, 1);
}
void NcFile::put_att(int varid, const std::string& name, int value) {
  impl_->put_att(varid, name, NcType::kInt, &value, 1);
}
void NcFile::put_att(int varid, const std::string& name, const std::vector<double>& values) {
  impl_->put_att(varid, name, NcType::kDouble, values.data(), values.size());
}
void NcFile::enddef() {
  impl_->enddef();
}
void NcFile::iput(int varid, const std::vector<MPI_Offset>& start,
                  const std::vector<MPI_Offset>& count, const float* data) {
  impl_->iput(varid, start, count, NcType::kFloat, data);
}
void NcFile::iput(int varid, const std::vector<MPI_Offset>& start,
                  const std::vector<MPI_Offset>& count, const double* data) {
  impl_->iput(varid, start, count, NcType::kDouble, data);
}
void NcFile::wait_all() {
  impl_->complete(true);
}
void NcFile::wait() {
  impl_->complete(false);
}
void NcFile::get_all(int varid, const std::vector<MPI_Offset>& start,
                     const std::vector<MPI_Offset>& count, float* data) const {
  impl_->get(varid, start, count, NcType::kFloat, data, true);
}
void NcFile::get_all(int varid, const std::vector<MPI_Offset>& start,
                     const std::vector<MPI_Offset>& count, double* data) const {
  impl_->get(varid, start, count, NcType::kDouble, data, true);
}
void NcFile::begin_independent() {
  impl_->begin_independent();
}
bool NcFile::writes_independently() const {
  return impl_->writes_independently();
}
void NcFile::get(int varid, const std::vector<MPI_Offset>& start,
                 const std::vector<MPI_Offset>& count, float* data) const {
  impl_->get(varid, start, count, NcType::kFloat, data, false);
}
int NcFile::varid(const std::string& name) const {
  return impl_->varid(name);
}
bool NcFile::has_var(const std::string& name) const {
  return impl_->has_var(name);
}
std::int64_t NcFile::dim_length(const std::string& name) const {
  return impl_->dim_length(name);
}
std::string NcFile::att_text(int varid, const std::string& name) const {
  return impl_->att_text(varid, name);
}
bool NcFile::has_att(int varid, const std::string& name) const {
  return impl_->has_att(varid, name);
}
std::vector<double> NcFile::att_doubles(int varid, const std::string& name) const {
  return impl_->att_doubles(varid, name);
}
void NcFile::close() {
  if (impl_ && impl_->is_open())
    impl_->close();
}
std::int64_t NcFile::data_end() const {
  return impl_->data_end();
}
bool NcFile::is_open() const noexcept {
  return impl_ && impl_->is_open();
}
NcFormat NcFile::format() const {
  return impl_->format();
}
std::string NcFile::var_name(int varid) const {
  return impl_->var_name(varid);
}

}  // namespace tessera::io
