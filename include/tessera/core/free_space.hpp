// A pre-flight check of the output file system's free space.
//
// A collective HDF5 write that runs out of space fails part-way on some ranks
// and not others; the library's state then differs between ranks and closing
// the file can wait forever (seen with Open MPI 4.1 + HDF5 1.10 on a full
// file system). Refusing an item whose output cannot fit, before its file is
// created, turns the common case (a full disk) into a clear error for that
// item alone.
#pragma once

#include <cstdint>
#include <filesystem>

#include "tessera/core/mpi.hpp"

namespace tessera {

/// Bytes available to this user on the file system holding `dir` (statvfs);
/// -1 when unknown.
std::int64_t free_bytes(const std::filesystem::path& dir);

/// Throws IoError naming `output` when the file system holding its directory
/// has less than `need` bytes free. Unknown free space passes.
void require_free_space(const std::filesystem::path& output, std::int64_t need);

/// Collective: rank 0 looks (one statvfs for the job, not one per rank), and
/// every rank throws CollectiveError with rank 0's message when there is no
/// room. For writes through parallel HDF5, which must not start without it.
void require_free_space(const Comm& comm, const std::filesystem::path& output, std::int64_t need);

/// Bytes to keep free beside a parallel NetCDF-4/HDF5 write for the library's
/// own metadata (superblock, object headers, one chunk-index entry per chunk,
/// the flush at close): 256 KiB + ~64 bytes a chunk.
std::int64_t hdf5_metadata_margin(std::int64_t chunks);

}  // namespace tessera
