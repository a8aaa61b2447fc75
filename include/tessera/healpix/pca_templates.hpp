// Reading the PCA eigenspectra (DESI baltools PCA_Eigenvectors*.fits): a
// binary table with WAVE and PCA0..PCA{n-1}; the component count follows the
// file (5 for the default DESI set, 4 for Brodzeller's).
#pragma once

#include <filesystem>

#include "tessera/healpix/bal_finder.hpp"

namespace tessera::healpix {

/// Throws FormatError naming the file and the column when WAVE or PCA0 is
/// missing, WAVE does not increase, or a value is not finite.
PcaTemplates read_pca_templates(const std::filesystem::path& path);

}  // namespace tessera::healpix
