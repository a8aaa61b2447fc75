// split's input in either layout (include/tessera/healpix/catalog_reader.hpp).
#include "tessera/healpix/catalog_reader.hpp"

#include <algorithm>

#include "tessera/healpix/redrock_join.hpp"

namespace tessera::healpix {

CatalogReader::CatalogReader(const std::filesystem::path& path, std::string ra_column,
                             std::string dec_column)
    : path_(path.string()),
      ra_column_(std::move(ra_column)),
      dec_column_(std::move(dec_column)),
      file_(path, io::FitsFile::Mode::kRead) {
  // Both HDUs name a redrock file; a zafter file has REDSHIFTS alone.
  if (file_.has_hdu("REDSHIFTS") && file_.has_hdu("FIBERMAP")) {
    layout_ = CatalogLayout::kRedrock;
    file_.move_to("FIBERMAP");
    for (const std::string& c : {std::string("TARGETID"), ra_column_, dec_column_})
      file_.column(c);
    position_hdu_ = file_.hdu_label();
    const auto fibermap_ids = file_.read_column<std::int64_t>("TARGETID");
    const auto ra = file_.read_column<double>(ra_column_);
    const auto dec = file_.read_column<double>(dec_column_);
    file_.move_to("REDSHIFTS");
    for (const char* c : {"TARGETID", "Z", "ZERR", "ZWARN", "SPECTYPE"})
      file_.column(c);
    rows_ = file_.num_rows();
    ids_ = file_.read_column<std::int64_t>("TARGETID");
    const RedrockJoin join = join_redrock(ids_, fibermap_ids, ra, dec, path_);
    repeated_ = join.repeated_rows;
    ra_.resize(ids_.size());
    dec_.resize(ids_.size());
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      ra_[i] = ra[static_cast<std::size_t>(join.fibermap_row[i])];
      dec_[i] = dec[static_cast<std::size_t>(join.fibermap_row[i])];
    }
    return;
  }
  file_.move_to_table_with("TARGETID");
  rows_ = file_.num_rows();
  for (const std::string& c : {std::string("TARGETID"), ra_column_, dec_column_, std::string("Z"),
                               std::string("ZERR"), std::string("ZWARN")}) {
    file_.column(c);
  }
  position_hdu_ = file_.hdu_label();
}

std::string CatalogReader::position_label(bool ra) const {
  return position_hdu_ + " column '" + (ra ? ra_column_ : dec_column_) + "'";
}

std::vector<QsoRecord> CatalogReader::read(std::int64_t first, std::int64_t n) {
  return layout_ == CatalogLayout::kRedrock ? read_redrock(first, n) : read_table(first, n);
}

std::vector<QsoRecord> CatalogReader::read_table(std::int64_t first, std::int64_t n) {
  std::vector<std::int64_t> id(static_cast<std::size_t>(n));
  std::vector<double> ra(id.size()), dec(id.size()), z(id.size()), zerr(id.size()),
      zwarn(id.size());
  // Chunks that fit CFITSIO's buffers: each catalog block is read from the
  // file once for all six columns, not once per column.
  const std::int64_t chunk = file_.buffered_rows();
  for (std::int64_t k = 0; k < n; k += chunk) {
    const std::int64_t m = std::min(chunk, n - k);
    const auto at = static_cast<std::size_t>(k);
    file_.read_column("TARGETID", first + k, m, id.data() + at);
    file_.read_column(ra_column_, first + k, m, ra.data() + at);
    file_.read_column(dec_column_, first + k, m, dec.data() + at);
    file_.read_column("Z", first + k, m, z.data() + at);
    file_.read_column("ZERR", first + k, m, zerr.data() + at);
    file_.read_column("ZWARN", first + k, m, zwarn.data() + at);
  }
  std::vector<QsoRecord> rows(id.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    rows[i] = {id[i], ra[i], dec[i], z[i], zerr[i], zwarn[i]};
  return rows;
}

std::vector<QsoRecord> CatalogReader::read_redrock(std::int64_t first, std::int64_t n) {
  std::vector<double> z(static_cast<std::size_t>(n)), zerr(z.size()), zwarn(z.size());
  std::vector<std::string> spectype;
  const std::int64_t chunk = file_.buffered_rows();
  for (std::int64_t k = 0; k < n; k += chunk) {
    const std::int64_t m = std::min(chunk, n - k);
    const auto at = static_cast<std::size_t>(k);
    file_.read_column("Z", first + k, m, z.data() + at);
    file_.read_column("ZERR", first + k, m, zerr.data() + at);
    file_.read_column("ZWARN", first + k, m, zwarn.data() + at);
    const auto s = file_.read_strings("SPECTYPE", first + k, m);
    spectype.insert(spectype.end(), s.begin(), s.end());
  }
  std::vector<QsoRecord> rows(z.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto r = static_cast<std::size_t>(first) + i;
    rows[i] = {ids_[r], ra_[r], dec_[r], z[i], zerr[i], zwarn[i]};
    set_spectype(rows[i], spectype[i]);
  }
  return rows;
}

}  // namespace tessera::healpix
