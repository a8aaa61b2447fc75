// RAII over PnetCDF (parallel NetCDF classic formats, here CDF-5).
//
// A NcFile owns one ncid opened or created collectively on a communicator.
// Every call goes through nccheck(), which throws IoError naming the file,
// the variable and ncmpi_strerror()'s text. The destructor closes quietly
// (collectively: every rank destroys its NcFile at the same point, as with
// any collective handle); close() reports errors.
//
// Writing follows the design: define mode (dimensions, variables,
// attributes), enddef(), then non-blocking puts queued with iput_*() and
// completed collectively with wait_all(), which every rank must call the
// same number of times, with zero requests if it has nothing to write.
// Reading uses collective get_vara_all(), again with a possibly empty count.
#pragma once

#include <mpi.h>
#include <pnetcdf.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tessera::io {

/// Throws IoError(file, variable, "<what>: <ncmpi_strerror>") when status != NC_NOERR.
void nccheck(int status, const char* what, const std::string& file,
             const std::string& variable = {});

class NcFile {
 public:
  NcFile() = default;
  ~NcFile();
  NcFile(NcFile&& other) noexcept;
  NcFile& operator=(NcFile&& other) noexcept;
  NcFile(const NcFile&) = delete;
  NcFile& operator=(const NcFile&) = delete;

  /// Collective. Creates (clobbering) a CDF-5 file and enters define mode.
  static NcFile create(MPI_Comm comm, const std::filesystem::path& path);
  /// Collective. Opens an existing file read-only.
  static NcFile open(MPI_Comm comm, const std::filesystem::path& path);

  // --- define mode -----------------------------------------------------------
  int def_dim(const std::string& name, std::int64_t length);
  int def_var(const std::string& name, nc_type type, const std::vector<int>& dims);
  /// varid NC_GLOBAL for global attributes.
  void put_att(int varid, const std::string& name, const std::string& text);
  void put_att(int varid, const std::string& name, double value);
  void put_att(int varid, const std::string& name, float value);
  void put_att(int varid, const std::string& name, int value);
  void put_att(int varid, const std::string& name, const std::vector<double>& values);
  void enddef();

  // --- data mode ---------------------------------------------------------------
  /// Queues a non-blocking write of a float hyperslab; the buffer must stay
  /// alive until wait_all().
  void iput(int varid, const std::vector<MPI_Offset>& start, const std::vector<MPI_Offset>& count,
            const float* data);
  void iput(int varid, const std::vector<MPI_Offset>& start, const std::vector<MPI_Offset>& count,
            const double* data);
  /// Collective: completes every queued request of this rank.
  void wait_all();
  /// Independent (after begin_independent()): completes this rank's queued
  /// requests without waiting for the other ranks.
  void wait();
  /// Collective read of a hyperslab (count may be all zeros on a rank).
  void get_all(int varid, const std::vector<MPI_Offset>& start,
               const std::vector<MPI_Offset>& count, float* data) const;
  void get_all(int varid, const std::vector<MPI_Offset>& start,
               const std::vector<MPI_Offset>& count, double* data) const;

  /// Collective. Enters independent data mode: get() and iput() + wait()
  /// then read and write without synchronising with the other ranks (each
  /// rank at its own pace, e.g. through its own days). close() ends it.
  void begin_independent();
  /// Independent read of a hyperslab (after begin_independent()).
  void get(int varid, const std::vector<MPI_Offset>& start, const std::vector<MPI_Offset>& count,
           float* data) const;

  // --- inquiry -------------------------------------------------------------------
  int varid(const std::string& name) const;
  bool has_var(const std::string& name) const;
  std::int64_t dim_length(const std::string& name) const;
  std::string att_text(int varid, const std::string& name) const;
  bool has_att(int varid, const std::string& name) const;
  std::vector<double> att_doubles(int varid, const std::string& name) const;

  /// Collective. Closes the file; throws IoError on failure. Idempotent.
  void close();
  /// Bytes the file must have once every fixed-size variable is written: the
  /// end of the last variable's data (ncmpi_inq_varoffset + its size). 0 when
  /// a variable is a record variable (its length is not fixed) or unknown.
  /// Collective-free; call before close().
  std::int64_t data_end() const;
  bool is_open() const noexcept { return ncid_ >= 0; }
  const std::string& path() const noexcept { return path_; }
  /// Name of a variable id (for error messages).
  std::string var_name(int varid) const;

 private:
  NcFile(int ncid, std::string path) : ncid_(ncid), path_(std::move(path)) {}
  /// Completes this rank's queued requests (wait_all or wait).
  void complete(bool collective);
  int ncid_ = -1;
  std::string path_;
  std::vector<int> requests_;
};

}  // namespace tessera::io
