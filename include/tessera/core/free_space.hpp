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

namespace tessera {

/// Bytes available to this user on the file system holding `dir` (statvfs);
/// -1 when unknown.
std::int64_t free_bytes(const std::filesystem::path& dir);

/// Throws IoError naming `output` when the file system holding its directory
/// has less than `need` bytes free. Unknown free space passes.
void require_free_space(const std::filesystem::path& output, std::int64_t need);

}  // namespace tessera
