// Coadd reading (include/tessera/healpix/coadd_reader.hpp).
#include "tessera/healpix/coadd_reader.hpp"

#include <fmt/format.h>

#include "tessera/core/error.hpp"

namespace tessera::healpix {

CoaddReader::CoaddReader(const std::filesystem::path& path)
    : path_(path), file_(path, io::FitsFile::Mode::kRead) {
  file_.move_to("FIBERMAP");
  const auto ids = file_.read_column<std::int64_t>("TARGETID");
  nspec_ = static_cast<std::int64_t>(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i)
    row_.emplace(ids[i], static_cast<std::int64_t>(i));
  for (const char* arm : {"B", "R", "Z"}) {
    const std::string wave_hdu = fmt::format("{}_WAVELENGTH", arm);
    if (!file_.has_hdu(wave_hdu))
      continue;
    file_.move_to(wave_hdu);
    waves_.push_back(file_.read_image<double>());
    arms_.emplace_back(arm);
    for (const char* kind : {"FLUX", "IVAR", "MASK"}) {
      const std::string hdu = fmt::format("{}_{}", arm, kind);
      file_.move_to(hdu);
      const auto dims = file_.image_dims();
      if (dims.size() != 2 || dims[0] != nspec_ ||
          dims[1] != static_cast<std::int64_t>(waves_.back().size())) {
        throw FormatError(
            fmt::format("image is not [{} spectra, {} wavelengths]", nspec_, waves_.back().size()),
            path_.string(), "HDU '" + hdu + "'");
      }
    }
  }
  if (arms_.empty()) {
    throw FormatError("no B/R/Z_WAVELENGTH HDU", path_.string(), "HDU 'B_WAVELENGTH'");
  }
  try {
    grid_ = merge_grid(waves_);
  } catch (const FormatError& e) {
    throw FormatError(e.message(), path_.string(), "HDU '*_WAVELENGTH'");
  }
}

std::int64_t CoaddReader::row_of(std::int64_t targetid) const {
  const auto it = row_.find(targetid);
  return it == row_.end() ? -1 : it->second;
}

std::vector<Spectrum> CoaddReader::read_merged(const std::vector<std::int64_t>& rows,
                                               std::int64_t& bytes) {
  const std::size_t narm = arms_.size();
  // flux/ivar/mask per arm per requested row
  std::vector<std::vector<float>> flux(narm), ivar(narm);
  std::vector<std::vector<std::int32_t>> mask(narm);
  bytes = 0;
  for (std::size_t a = 0; a < narm; ++a) {
    const auto nw = static_cast<std::int64_t>(waves_[a].size());
    flux[a].resize(rows.size() * static_cast<std::size_t>(nw));
    ivar[a].resize(flux[a].size());
    mask[a].resize(flux[a].size());
    file_.move_to(arms_[a] + "_FLUX");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      file_.read_image_row(rows[i], nw, flux[a].data() + i * static_cast<std::size_t>(nw));
    }
    file_.move_to(arms_[a] + "_IVAR");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      file_.read_image_row(rows[i], nw, ivar[a].data() + i * static_cast<std::size_t>(nw));
    }
    file_.move_to(arms_[a] + "_MASK");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      file_.read_image_row(rows[i], nw, mask[a].data() + i * static_cast<std::size_t>(nw));
    }
    bytes += static_cast<std::int64_t>(rows.size()) * nw * 12;
  }
  std::vector<Spectrum> out;
  out.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<ArmSpectrum> views;
    for (std::size_t a = 0; a < narm; ++a) {
      const std::size_t nw = waves_[a].size();
      views.push_back({waves_[a], std::span<const float>(flux[a].data() + i * nw, nw),
                       std::span<const float>(ivar[a].data() + i * nw, nw),
                       std::span<const std::int32_t>(mask[a].data() + i * nw, nw)});
    }
    out.push_back(merge_cameras(grid_, views));
  }
  return out;
}

}  // namespace tessera::healpix
