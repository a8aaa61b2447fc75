// zafter files (spec "Conventions": EXTNAME=REDSHIFTS, TARGETID K,
// TARGET_RA/DEC, Z, ZERR, ZWARN D, SPECTYPE 6A: 'QSO' from a QSO catalog table, the
// redrock class from a redrock file; keys HPXNSIDE, HPXPIXEL)
// and their resume check.
//
// split writes thousands of small files, so each one is built by CFITSIO in
// memory (its memory driver, io::FitsFile::in_memory) and written with one
// write(2), instead of CFITSIO writing a disk file block by block (create,
// seven column writes, close: several syscalls and a header re-read each).
// The bytes are the ones CFITSIO writes to disk for the same table; the unit
// tests compare the two byte for byte.
//
// Resume: the extension header carries `TSFPRINT`, the fingerprint of the
// inputs and options the file was made from (tessera/core/fingerprint.hpp).
// A file is current when its header blocks equal the header this writer
// would produce now (same fingerprint, row count, NSIDE, pixel) and its size
// is the one that header declares (FITS Standard 4.0 sec. 3.1 and 7.3: the
// data unit padded to 2880-byte blocks), so an old, foreign, truncated or
// differently-made file is redone. This replaces the `.fp` sidecar for zafter
// files: one file per pixel instead of two, one read to check it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/healpix/bal_tables.hpp"

namespace tessera::healpix {

/// The two header blocks (primary HDU, REDSHIFTS header) of a zafter file of
/// `nrows` rows recording `fingerprint` (16 hex digits) in TSFPRINT.
std::string zafter_header(std::int64_t nrows, std::int64_t nside, std::int64_t pixel,
                          std::string_view fingerprint);

/// The whole zafter file: zafter_header then the padded big-endian rows.
std::string zafter_bytes(const std::vector<QsoRecord>& rows, std::int64_t nside, std::int64_t pixel,
                         std::string_view fingerprint);

/// Writes zafter_bytes to `path` with one write(2) (a temporary name: the
/// caller commits it with AtomicFile). Throws IoError. Returns the bytes written.
std::int64_t write_zafter(const std::filesystem::path& path, const std::vector<QsoRecord>& rows,
                          std::int64_t nside, std::int64_t pixel, std::string_view fingerprint);

/// True when `path` is a complete zafter file of `nrows` rows made with
/// `fingerprint` (see above). Any error reading it means "not current".
bool zafter_is_current(const std::filesystem::path& path, std::int64_t nrows, std::int64_t nside,
                       std::int64_t pixel, std::string_view fingerprint);

}  // namespace tessera::healpix
