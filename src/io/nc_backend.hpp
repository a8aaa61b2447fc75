// The library behind an io::NcFile (internal to io/; see
// include/tessera/io/nc_file.hpp). One implementation per library:
// nc_pnetcdf.cpp (CDF-5 through PnetCDF), nc_netcdf4.cpp (NetCDF-4
// through netcdf-c's parallel API) and nc_netcdf4_chunks.cpp (NetCDF-4 from
// chunks compressed on every rank, written by rank 0). Each keeps its library's headers to
// itself: pnetcdf.h and netcdf.h define the same names and cannot meet in
// one translation unit.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tessera/io/nc_file.hpp"

namespace tessera::io {

using NcIndex = std::vector<MPI_Offset>;

class NcBackend {
 public:
  virtual ~NcBackend() = default;
  virtual NcFormat format() const = 0;

  virtual int def_dim(const std::string& name, std::int64_t length) = 0;
  virtual int def_var(const std::string& name, NcType type, const std::vector<int>& dims,
                      const NcStorage& storage) = 0;
  virtual void put_att(int varid, const std::string& name, const std::string& text) = 0;
  virtual void put_att(int varid, const std::string& name, NcType type, const void* values,
                       std::size_t n) = 0;
  virtual void enddef() = 0;

  virtual void iput(int varid, const NcIndex& start, const NcIndex& count, NcType type,
                    const void* data) = 0;
  virtual void complete(bool collective) = 0;
  virtual void get(int varid, const NcIndex& start, const NcIndex& count, NcType type, void* data,
                   bool collective) const = 0;
  virtual void begin_independent() = 0;
  virtual bool writes_independently() const = 0;

  virtual int varid(const std::string& name) const = 0;
  virtual bool has_var(const std::string& name) const = 0;
  virtual std::int64_t dim_length(const std::string& name) const = 0;
  virtual bool has_att(int varid, const std::string& name) const = 0;
  virtual std::string att_text(int varid, const std::string& name) const = 0;
  virtual std::vector<double> att_doubles(int varid, const std::string& name) const = 0;
  virtual std::string var_name(int varid) const = 0;
  virtual std::int64_t data_end() const = 0;

  virtual bool is_open() const = 0;
  /// Throws IoError on failure; afterwards is_open() is false.
  virtual void close() = 0;
  /// For destructors: closes, ignoring errors.
  virtual void close_quietly() noexcept = 0;
};

std::unique_ptr<NcBackend> pnetcdf_create(MPI_Comm comm, const std::filesystem::path& path);
std::unique_ptr<NcBackend> pnetcdf_open(MPI_Comm comm, const std::filesystem::path& path);
std::unique_ptr<NcBackend> netcdf4_create(MPI_Comm comm, const std::filesystem::path& path,
                                          const NcCreateOptions& options);
/// NetCDF-4 written from whole chunks compressed on every rank, by rank 0
/// (nc_netcdf4_chunks.cpp).
std::unique_ptr<NcBackend> netcdf4_create_chunked(MPI_Comm comm, const std::filesystem::path& path,
                                                  const NcCreateOptions& options);
std::unique_ptr<NcBackend> netcdf4_open(MPI_Comm comm, const std::filesystem::path& path);

}  // namespace tessera::io
