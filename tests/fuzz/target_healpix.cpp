// Fuzz targets of the healpix pipeline, all FITS through CFITSIO:
// `fits_catalog` (a QSO/targets catalog read as split and append read it),
// `fits_tables` (zafter and baltable files, Tessera's own tables) and
// `coadd` (a DESI coadd: FIBERMAP, wavelength grids, FLUX/IVAR/MASK rows).
#include <algorithm>

#include "targets.hpp"
#include "tessera/healpix/bal_tables.hpp"
#include "tessera/healpix/coadd_reader.hpp"
#include "tessera/io/fits_file.hpp"

namespace tessera::fuzz {
namespace {

// split's read: the first table with TARGETID, every column checked, then
// read in chunks of the buffered row count; append's PCOUNT and specs.
void read_catalog(const std::filesystem::path& path) {
  io::FitsFile f(path, io::FitsFile::Mode::kRead);
  f.move_to_table_with("TARGETID");
  (void)f.read_key_int("PCOUNT");
  (void)f.column_specs();
  const std::int64_t n = f.num_rows();
  const std::int64_t chunk = f.buffered_rows();
  for (const std::string& name : f.column_names()) {
    const io::FitsColumnInfo info = f.column(name);
    if (info.typecode == TSTRING) {
      for (std::int64_t k = 0; k < n; k += chunk)
        (void)f.read_strings(name, k, std::min(chunk, n - k));
    } else if (info.typecode > 0) {
      for (std::int64_t k = 0; k < n; k += chunk)
        (void)f.read_column<double>(name, k, std::min(chunk, n - k));
    }
  }
}

void read_table(const std::filesystem::path& path) {
  bool baltable = false;
  {
    io::FitsFile f(path, io::FitsFile::Mode::kRead);
    baltable = f.has_hdu("BALCAT");
  }
  if (baltable) {
    (void)healpix::read_baltable(path);
  } else {
    std::vector<std::string> spectype;
    (void)healpix::read_zafter(path, &spectype);
  }
}

void read_coadd(const std::filesystem::path& path) {
  healpix::CoaddReader r(path);
  std::vector<std::int64_t> rows;
  for (std::int64_t i = 0; i < std::min<std::int64_t>(r.num_spectra(), 8); ++i)
    rows.push_back(i);
  std::int64_t bytes = 0;
  (void)r.read_merged(rows, bytes);
}

FormatTraits fits_traits() {
  FormatTraits t;
  t.fits_cards = true;
  return t;
}

const TargetRegistrar kCatalog{Target{"fits_catalog",
                                      ".fits",
                                      fits_traits(),
                                      {test_data("desi/redrock-special-dark-27247.fits"),
                                       test_data("fuzz/seeds/fits_catalog/qso_catalog.fits")},
                                      read_catalog}};

const TargetRegistrar kTables{Target{"fits_tables",
                                     ".fits",
                                     fits_traits(),
                                     {test_data("fuzz/seeds/fits_tables/zafter.fits"),
                                      test_data("fuzz/seeds/fits_tables/baltable.fits")},
                                     read_table}};

const TargetRegistrar kCoadd{Target{
    "coadd", ".fits", fits_traits(), {test_data("fuzz/seeds/coadd/coadd.fits")}, read_coadd}};

}  // namespace
}  // namespace tessera::fuzz
