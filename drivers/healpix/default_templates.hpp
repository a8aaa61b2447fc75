// Default location of the DESI PCA eigenspectra for `synth healpix` and
// `healpix balfind`: $TESSERA_SHARED_DATA, else the data directory fixed at
// configure time (the source tree's ../shared/data or the installed
// share/tessera), so a fresh build finds them without any option.
#pragma once
#include <cstdlib>
#include <string>

#include "tessera/build_info.hpp"

namespace tessera::driver {

inline std::string default_templates() {
  const char* env = std::getenv("TESSERA_SHARED_DATA");
  const std::string dir = (env != nullptr && *env != '\0') ? env : build::kDataDir;
  return dir + "/baltools/PCA_Eigenvectors.fits";
}

}  // namespace tessera::driver
