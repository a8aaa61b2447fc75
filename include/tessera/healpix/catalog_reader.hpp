// The input of `healpix split`: rows of a QSO catalog in either of DESI's
// two layouts, told apart by HDU names.
//
//   table    one binary table holding TARGETID, RA/DEC (TARGET_RA, TARGET_DEC
//            or the columns given), Z, ZERR, ZWARN: a zcatalog / QSO catalog
//            (the first table with TARGETID). Every row is taken as a QSO.
//   redrock  HDUs REDSHIFTS (TARGETID, Z, ZERR, ZWARN, SPECTYPE) and FIBERMAP
//            (TARGETID, RA/DEC), joined on TARGETID (redrock_join.hpp). Rows
//            are REDSHIFTS rows, in its order, with their own SPECTYPE, so
//            balfind fits only the QSOs. EXP_FIBERMAP is not read.
//
// Every column is checked when the file is opened, so a missing one is
// reported before any work. A redrock file's join columns (TARGETID of both
// HDUs, FIBERMAP positions: 24 bytes a target, a few thousand targets a file)
// are read whole by every reader, which then validates the join and reads its
// own block of REDSHIFTS rows.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tessera/healpix/bal_tables.hpp"
#include "tessera/io/fits_file.hpp"

namespace tessera::healpix {

enum class CatalogLayout { kTable, kRedrock };

class CatalogReader {
 public:
  /// Opens `path`, detects its layout and checks its columns; for a redrock
  /// file also reads and validates the join. Throws FormatError / IoError
  /// naming the file, HDU and column.
  CatalogReader(const std::filesystem::path& path, std::string ra_column, std::string dec_column);

  CatalogLayout layout() const { return layout_; }
  /// Rows split writes: catalog rows, or REDSHIFTS rows.
  std::int64_t num_rows() const { return rows_; }
  /// FIBERMAP rows beyond the first of their TARGETID (redrock files).
  std::int64_t repeated_fibermap_rows() const { return repeated_; }
  /// "HDU n 'NAME' column 'C'" of the RA or DEC column, for messages.
  std::string position_label(bool ra) const;

  /// Rows [first, first + n), in file order (chunked to CFITSIO's buffers).
  std::vector<QsoRecord> read(std::int64_t first, std::int64_t n);

 private:
  std::vector<QsoRecord> read_table(std::int64_t first, std::int64_t n);
  std::vector<QsoRecord> read_redrock(std::int64_t first, std::int64_t n);

  std::string path_;
  std::string ra_column_, dec_column_;
  io::FitsFile file_;  // at the catalog table / REDSHIFTS HDU
  CatalogLayout layout_ = CatalogLayout::kTable;
  std::int64_t rows_ = 0;
  std::int64_t repeated_ = 0;
  std::string position_hdu_;  // hdu_label() of the table holding RA/DEC
  // redrock: REDSHIFTS TARGETIDs and, per REDSHIFTS row, its FIBERMAP position.
  std::vector<std::int64_t> ids_;
  std::vector<double> ra_, dec_;
};

}  // namespace tessera::healpix
