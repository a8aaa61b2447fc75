// MPI-IO hints for every shared file Tessera opens through MPI-IO: PnetCDF
// (CDF-5), netcdf-c's parallel API (NetCDF-4) and HDF5's MPI-IO driver
// (UVH5, FITS-free HDF5 outputs). One place builds the MPI_Info the three
// libraries receive, from
//   - the environment: TESSERA_MPIIO_HINTS="striping_factor=8;striping_unit=4194304"
//   - the common option --mpiio-hint KEY=VALUE (repeatable), which overrides
//     the environment key by key.
// No hints by default, on any file system: a new file then takes its
// directory's layout (on Lustre `lfs setstripe -c N -S SIZE DIR`), which is
// what a site sets up for its scratch. Striping hints (ROMIO's Lustre driver:
// striping_factor, striping_unit) apply only when a file is created; the
// collective-buffering ones (cb_nodes, cb_buffer_size, romio_cb_write) on
// every open. PnetCDF also reads its own keys from the same MPI_Info
// (nc_var_align_size, nc_header_align_size). docs/install.md.
#pragma once

#include <mpi.h>

#include <string>
#include <utility>
#include <vector>

namespace tessera {

using MpiioHints = std::vector<std::pair<std::string, std::string>>;

/// "key=value;key=value" (';' or newline between pairs; blanks around keys
/// and values ignored; empty pairs skipped). Throws UsageError naming
/// `source` and the pair for a pair without '=' or with an empty key or value.
MpiioHints parse_mpiio_hints(const std::string& text, const std::string& source);

/// The hints given on the command line (replaces earlier ones). Values in
/// "KEY=VALUE" form, as --mpiio-hint takes them.
void set_mpiio_hints(const std::vector<std::string>& key_values);

/// The hints in force: TESSERA_MPIIO_HINTS (read at each call), then the
/// command line's, a later key replacing an earlier one. Throws UsageError
/// for a malformed TESSERA_MPIIO_HINTS.
MpiioHints mpiio_hints();

/// An MPI_Info with the hints in force, freed with the object; MPI_INFO_NULL
/// when there are none. The libraries copy it when a file is opened, so it
/// may go as soon as the open returns.
class MpiioInfo {
 public:
  MpiioInfo();
  ~MpiioInfo();
  MpiioInfo(const MpiioInfo&) = delete;
  MpiioInfo& operator=(const MpiioInfo&) = delete;
  MPI_Info get() const noexcept { return info_; }

 private:
  MPI_Info info_ = MPI_INFO_NULL;
};

}  // namespace tessera
