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

/// A missing template file is a configuration error that says where the
/// default was looked for (an installed tessera without its share/ folder,
/// a binary copied away from its build tree).
inline void require_templates(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw IoError("PCA template file not found; " +
                      data_search_note("baltools/PCA_Eigenvectors.fits") + ", or pass --templates",
                  path.string());
  }
}

}  // namespace tessera::driver
