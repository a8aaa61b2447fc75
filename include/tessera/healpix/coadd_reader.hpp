// Reading the quasar rows of a DESI coadd file (DESI data model,
// coadd-SURVEY-PROGRAM-PIXEL.fits): FIBERMAP TARGETIDs, then for each arm
// X_WAVELENGTH and only the requested rows of X_FLUX, X_IVAR and X_MASK.
// X_RESOLUTION (most of the file's bytes) is never read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <unordered_map>
#include <vector>

#include "tessera/healpix/bal_finder.hpp"
#include "tessera/healpix/camera_merge.hpp"
#include "tessera/io/fits_file.hpp"

namespace tessera::healpix {

class CoaddReader {
 public:
  /// Opens the file and reads FIBERMAP TARGETID and the arms' wavelengths.
  /// Throws FormatError/IoError naming the file and HDU.
  explicit CoaddReader(const std::filesystem::path& path);

  const std::filesystem::path& path() const noexcept { return path_; }
  /// Row of a TARGETID in the FIBERMAP, or -1.
  std::int64_t row_of(std::int64_t targetid) const;
  std::int64_t num_spectra() const noexcept { return nspec_; }

  /// Merged spectra of the given rows (in the given order). Reads each arm's
  /// FLUX/IVAR/MASK one row at a time (rows are contiguous in the image).
  /// Returns bytes read through `bytes`.
  std::vector<Spectrum> read_merged(const std::vector<std::int64_t>& rows, std::int64_t& bytes);

 private:
  std::filesystem::path path_;
  io::FitsFile file_;
  std::unordered_map<std::int64_t, std::int64_t> row_;
  std::vector<std::string> arms_;
  std::vector<std::vector<double>> waves_;
  MergeGrid grid_;
  std::int64_t nspec_ = 0;
};

}  // namespace tessera::healpix
