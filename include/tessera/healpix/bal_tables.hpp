// The pipeline's table formats (spec "Output tables"):
//   zafter-...fits   EXTNAME=REDSHIFTS: TARGETID K, TARGET_RA/DEC, Z, ZERR, ZWARN D, SPECTYPE 6A
//   baltable-...fits EXTNAME=BALCAT: TARGETID K, catalog values E, then the BAL columns
// and the BAL column list shared with `append`.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/healpix/bal_finder.hpp"

namespace tessera::io {
class FitsFile;
}

namespace tessera::healpix {

/// One catalog row as split carries it. SPECTYPE is 'QSO' for a QSO catalog
/// table and the redrock class (QSO, GALAXY, STAR) for a redrock file;
/// NUL-padded, at most 7 characters (zafter stores 6A). Trivially copyable:
/// split moves it between ranks as bytes.
struct QsoRecord {
  std::int64_t targetid = 0;
  double ra = 0.0, dec = 0.0, z = 0.0, zerr = 0.0, zwarn = 0.0;
  std::array<char, 8> spectype{'Q', 'S', 'O'};
};
/// The record's SPECTYPE as text.
inline std::string_view spectype_of(const QsoRecord& r) {
  return {r.spectype.data(), std::char_traits<char>::length(r.spectype.data())};
}
/// Sets the record's SPECTYPE (truncated to 7 characters).
void set_spectype(QsoRecord& r, std::string_view text);

// Writing zafter files: tessera/healpix/zafter_file.hpp.
/// Writes TARGETID, TARGET_RA, TARGET_DEC, Z, ZERR, ZWARN of `rows` into the
/// current table of `f` (zafter and baltable files share them; their TFORMs
/// differ and CFITSIO converts on write).
void write_identity_columns(io::FitsFile& f, const std::vector<QsoRecord>& rows);
/// Reads a zafter file with the QSO rows' SPECTYPE through `spectype`.
std::vector<QsoRecord> read_zafter(const std::filesystem::path& path,
                                   std::vector<std::string>* spectype = nullptr);

/// One BAL column: name, TFORM, elements per row, integer (J) or real (E).
struct BalColumn {
  std::string name;
  std::string tform;
  int repeat = 1;
  bool integer = false;
};
/// PCA_COEFFS ... SNR_FOREST in the spec's order for `ncomp` components.
std::vector<BalColumn> bal_columns(int ncomp);

/// Columnar BAL values of n rows: values[c] holds n * repeat of column c.
struct BalColumnValues {
  std::vector<BalColumn> columns;
  std::vector<std::vector<double>> values;
  std::int64_t rows = 0;
};
BalColumnValues to_columns(const std::vector<BalResult>& results, int ncomp);

struct BalTable {
  std::vector<QsoRecord> qso;
  BalColumnValues bal;
  int ncomp = 0;
  std::string template_file;
};
/// Writes a baltable (EXTNAME=BALCAT, key TEMPLATE and NCOMP) at `path`.
void write_baltable(const std::filesystem::path& path, const std::vector<QsoRecord>& qso,
                    const std::vector<BalResult>& results, int ncomp,
                    const std::string& template_file);
BalTable read_baltable(const std::filesystem::path& path);

}  // namespace tessera::healpix
