// DESI healpix paths (include/tessera/healpix/desi_layout.hpp).
#include "tessera/healpix/desi_layout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace tessera::healpix {

std::filesystem::path pixel_dir(const std::filesystem::path& root, const SurveyProgram& sp,
                                std::int64_t pixel) {
  return root / "healpix" / sp.survey / sp.program / std::to_string(pixel / 100) /
         std::to_string(pixel);
}

std::filesystem::path pixel_file(const std::filesystem::path& root, const SurveyProgram& sp,
                                 std::int64_t pixel, const std::string& kind) {
  return pixel_dir(root, sp, pixel) /
         fmt::format("{}-{}-{}-{}.fits", kind, sp.survey, sp.program, pixel);
}

std::vector<std::int64_t> discover_pixels(const std::filesystem::path& root,
                                          const SurveyProgram& sp, const std::string& kind) {
  namespace fs = std::filesystem;
  std::vector<std::int64_t> pixels;
  const fs::path base = root / "healpix" / sp.survey / sp.program;
  std::error_code ec;
  if (!fs::is_directory(base, ec))
    return pixels;
  for (const auto& group : fs::directory_iterator(base, ec)) {
    if (!group.is_directory())
      continue;
    for (const auto& dir : fs::directory_iterator(group.path(), ec)) {
      if (!dir.is_directory())
        continue;
      const std::string name = dir.path().filename().string();
      if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit))
        continue;
      const std::int64_t pixel = std::stoll(name);
      if (fs::exists(pixel_file(root, sp, pixel, kind)))
        pixels.push_back(pixel);
    }
  }
  std::sort(pixels.begin(), pixels.end());
  return pixels;
}

}  // namespace tessera::healpix
