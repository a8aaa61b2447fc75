// DESI healpix directory layout (DESI data model, "healpix" redux tree):
//   REDUX/healpix/{survey}/{program}/{pixel//100}/{pixel}/coadd-{survey}-{program}-{pixel}.fits
//   ALTZDIR/healpix/{survey}/{program}/{pixel//100}/{pixel}/zafter-...fits, baltable-...fits
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tessera::healpix {

struct SurveyProgram {
  std::string survey = "main";
  std::string program = "dark";
};

/// Directory of one pixel under `root` (REDUX or ALTZDIR).
std::filesystem::path pixel_dir(const std::filesystem::path& root, const SurveyProgram& sp,
                                std::int64_t pixel);
/// "{kind}-{survey}-{program}-{pixel}.fits" inside pixel_dir.
std::filesystem::path pixel_file(const std::filesystem::path& root, const SurveyProgram& sp,
                                 std::int64_t pixel, const std::string& kind);
inline std::filesystem::path coadd_path(const std::filesystem::path& redux, const SurveyProgram& sp,
                                        std::int64_t pixel) {
  return pixel_file(redux, sp, pixel, "coadd");
}
inline std::filesystem::path zafter_path(const std::filesystem::path& altzdir,
                                         const SurveyProgram& sp, std::int64_t pixel) {
  return pixel_file(altzdir, sp, pixel, "zafter");
}
inline std::filesystem::path baltable_path(const std::filesystem::path& altzdir,
                                           const SurveyProgram& sp, std::int64_t pixel) {
  return pixel_file(altzdir, sp, pixel, "baltable");
}

/// Pixels that have a file of `kind` under root/healpix/survey/program, sorted.
std::vector<std::int64_t> discover_pixels(const std::filesystem::path& root,
                                          const SurveyProgram& sp, const std::string& kind);

}  // namespace tessera::healpix
