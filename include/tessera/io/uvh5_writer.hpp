// Parallel writer of one UVH5 1.1 file (pyuvdata memo), shared by the ranks
// of a communicator.
//
// The constructor is collective: it creates the file (MPI-IO, collective
// metadata), every header dataset (rank 0 supplies the values; the other
// ranks join each collective create and transfer with an empty selection)
// and the three data datasets (Nblts, Nfreqs, Npols), chunked so that one
// block of `chunk_freqs` channels (one input subband) is whole chunks. Then
// every rank writes its channel blocks with write_channels(), which is
// collective (a rank with nothing passes nchan = 0), and close() is collective.
#pragma once

#include <complex>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tessera/core/mpi.hpp"
#include "tessera/io/uvh5_output.hpp"

namespace tessera::io {

class File;

class Uvh5Writer {
 public:
  Uvh5Writer(const std::filesystem::path& path, const Comm& comm, const Uvh5Output& header,
             std::uint64_t chunk_freqs);
  ~Uvh5Writer();
  Uvh5Writer(const Uvh5Writer&) = delete;
  Uvh5Writer& operator=(const Uvh5Writer&) = delete;

  /// Collective. Writes channels [first, first + nchan) of every row; the
  /// arrays are (Nblts, nchan, Npols), row-major. nchan = 0: join only.
  void write_channels(std::uint64_t first, std::uint64_t nchan, const std::complex<float>* vis,
                      const std::uint8_t* flags, const float* nsamples);
  /// True if every data transfer so far ran collectively on this rank.
  bool all_collective() const noexcept { return all_collective_; }
  /// Collective close.
  void close();

 private:
  std::unique_ptr<File> file_;
  std::int64_t nblts_ = 0, nfreqs_ = 0, npols_ = 0;
  bool all_collective_ = true;
};

}  // namespace tessera::io
