// One interface over the two parallel NetCDF libraries Tessera writes with.
//
//  - NetCDF-4 (HDF5 storage) through netcdf-c's parallel API (nc_create_par,
//    built on parallel HDF5): chunked variables with the deflate and shuffle
//    filters, written collectively. What SnowMapper writes (xarray, zlib) and
//    what its users keep; netcdf-c >= 4.7.4 with HDF5 >= 1.10.3 writes
//    filtered variables in parallel (NC_HAS_PAR_FILTERS), collective writes only.
//    The files are ordinary NetCDF-4: any netcdf-c, h5py or xarray reads them.
//  - CDF-5 (NC_64BIT_DATA) through PnetCDF: uncompressed, the fastest to write
//    and to read back; non-blocking puts completed independently or collectively.
//
// A NcFile owns one file opened or created collectively on a communicator.
// open() picks the library from the file's signature ("CDF\x01|\x02|\x05" or
// HDF5's "\x89HDF\r\n\x1a\n"), so readers need not know which one wrote it.
// Every call that fails throws IoError naming the file, the variable and the
// library's message. The destructor closes quietly (collectively: every rank
// destroys its NcFile at the same point, as with any collective handle);
// close() reports errors.
//
// Writing: define mode (dimensions, variables, attributes), enddef(), then
// puts queued with iput() and completed collectively with wait_all(), which
// every rank must call the same number of times, with zero requests if it has
// nothing to write. Independent mode (begin_independent() then wait()) is for
// CDF-5 only: HDF5's filters need every rank in each write (writes_independently()).
// Reading: collective get_all(), or get() after begin_independent().
#pragma once

#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace tessera::io {

enum class NcFormat { kNetcdf4, kCdf5 };
/// "netcdf4" | "cdf5"; throws UsageError otherwise.
NcFormat parse_nc_format(const std::string& text);
const char* nc_format_name(NcFormat f);

/// Element types Tessera's files use (the library's own NC_* codes stay inside io/).
enum class NcType { kInt, kFloat, kDouble };
/// The variable id of global attributes (NC_GLOBAL in both libraries).
inline constexpr int kNcGlobal = -1;

/// Creation options. Compression and chunking apply to NetCDF-4 only; CDF-5
/// has neither.
struct NcCreateOptions {
  NcFormat format = NcFormat::kNetcdf4;
  /// 0 = no deflate filter, 1..9 deflate levels. Level 1: the writer of
  /// whole chunks compresses with igzip, 4 to 8 times faster than zlib's
  /// level 1 for about the same size (io/deflate_stream.hpp); through
  /// HDF5's filter (netcdf-c's parallel writer) every level is zlib's.
  int deflate_level = 1;
  /// Byte shuffle before deflate. Off by default: gridded cluster values
  /// repeat whole floats along a row, which deflate matches as they are;
  /// shuffled into byte planes the same days came out 2x larger (0.058 of
  /// the raw size against 0.028 at level 5).
  bool shuffle = false;
  /// The writer promises that every put covers whole chunks (it starts and
  /// ends on chunk boundaries or the array's end), and NetCDF-4 is asked for:
  /// then each rank compresses the chunks of its own puts (deflate_stream.hpp,
  /// its OpenMP threads side by side) and rank 0 writes the finished chunks
  /// with HDF5's direct chunk write (src/io/nc_netcdf4_chunks.cpp says why).
  /// A put that is not chunk-aligned fails naming the variable. Otherwise
  /// netcdf-c's collective parallel writes, with HDF5's zlib filter.
  bool whole_chunks = false;
};

/// How one variable is stored (NetCDF-4 only; ignored for CDF-5).
struct NcStorage {
  std::vector<std::int64_t> chunk;  ///< chunk shape; empty = contiguous, no filters
  bool compress = false;            ///< apply the file's deflate/shuffle options
};

class NcBackend;

class NcFile {
 public:
  NcFile();
  ~NcFile();
  NcFile(NcFile&& other) noexcept;
  NcFile& operator=(NcFile&& other) noexcept;
  NcFile(const NcFile&) = delete;
  NcFile& operator=(const NcFile&) = delete;

  /// Collective. Creates (clobbering) a file in the chosen format and enters define mode.
  static NcFile create(MPI_Comm comm, const std::filesystem::path& path,
                       const NcCreateOptions& options = {});
  /// Collective. Opens an existing NetCDF-4 or CDF-1/2/5 file read-only.
  static NcFile open(MPI_Comm comm, const std::filesystem::path& path);

  // --- define mode -----------------------------------------------------------
  int def_dim(const std::string& name, std::int64_t length);
  int def_var(const std::string& name, NcType type, const std::vector<int>& dims,
              const NcStorage& storage = {});
  /// varid kNcGlobal for global attributes.
  void put_att(int varid, const std::string& name, const std::string& text);
  void put_att(int varid, const std::string& name, double value);
  void put_att(int varid, const std::string& name, float value);
  void put_att(int varid, const std::string& name, int value);
  void put_att(int varid, const std::string& name, const std::vector<double>& values);
  void enddef();

  // --- data mode ---------------------------------------------------------------
  /// Queues a write of a hyperslab; the buffer must stay alive until
  /// wait_all() or wait().
  void iput(int varid, const std::vector<MPI_Offset>& start, const std::vector<MPI_Offset>& count,
            const float* data);
  void iput(int varid, const std::vector<MPI_Offset>& start, const std::vector<MPI_Offset>& count,
            const double* data);
  /// Collective: completes every queued request of this rank.
  void wait_all();
  /// Independent (after begin_independent(), CDF-5 only): completes this
  /// rank's queued requests without waiting for the other ranks.
  void wait();
  /// Collective read of a hyperslab (count may be all zeros on a rank).
  void get_all(int varid, const std::vector<MPI_Offset>& start,
               const std::vector<MPI_Offset>& count, float* data) const;
  void get_all(int varid, const std::vector<MPI_Offset>& start,
               const std::vector<MPI_Offset>& count, double* data) const;

  /// Collective. Enters independent data mode: get() (and, for CDF-5, iput()
  /// + wait()) then proceed without synchronising with the other ranks.
  void begin_independent();
  /// Whether independent writes are possible (CDF-5) or every write must be
  /// collective (NetCDF-4: HDF5 filters and chunk allocation need all ranks).
  bool writes_independently() const;
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
  /// Bytes the file must have once every fixed-size variable is written (CDF-5:
  /// the end of the last variable's data). 0 when unknown: a record variable,
  /// or NetCDF-4, whose compressed length nothing predicts (HDF5 reports its
  /// own write errors there). Collective-free; call before close().
  std::int64_t data_end() const;
  bool is_open() const noexcept;
  NcFormat format() const;
  const std::string& path() const noexcept { return path_; }
  /// Name of a variable id (for error messages).
  std::string var_name(int varid) const;

 private:
  NcFile(std::unique_ptr<NcBackend> impl, std::string path);
  std::unique_ptr<NcBackend> impl_;
  std::string path_;
};

}  // namespace tessera::io
