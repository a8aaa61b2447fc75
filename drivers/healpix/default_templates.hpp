// Default DESI PCA eigenspectra for `synth healpix` and `healpix balfind`:
// data/baltools/ of the repository, or share/tessera/baltools/ installed,
// found by tessera::data_file (core/data_dir.hpp; $TESSERA_DATA_DIR wins).
#pragma once
#include <filesystem>
#include <string>

#include "tessera/core/data_dir.hpp"
#include "tessera/core/error.hpp"

namespace tessera::driver {

inline std::string default_templates() {
  return data_file("baltools/PCA_Eigenvectors.fits").string();
}

/// A missing template file fails before any work, naming it. When it is the
/// default, the message also says where it was looked for (an installed
/// tessera without its share/ folder, a binary copied away from its build
/// tree); a --templates path the user gave is simply named.
inline void require_templates(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec))
    return;
  if (path == default_templates()) {
    throw IoError("PCA template file not found; " +
                      data_search_note("baltools/PCA_Eigenvectors.fits") + ", or pass --templates",
                  path.string());
  }
  throw IoError("--templates: no such file", path.string());
}

}  // namespace tessera::driver
