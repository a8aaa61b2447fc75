// PCA template file (include/tessera/healpix/pca_templates.hpp).
#include "tessera/healpix/pca_templates.hpp"

#include <cmath>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/io/fits_file.hpp"

namespace tessera::healpix {

PcaTemplates read_pca_templates(const std::filesystem::path& path) {
  io::FitsFile f(path, io::FitsFile::Mode::kRead);
  f.move_to_table_with("WAVE");
  PcaTemplates t;
  t.source = path.string();
  t.wave = f.read_column<double>("WAVE");
  if (!f.has_column("PCA0")) {
    throw FormatError("template table has no PCA0 column (expected WAVE, PCA0..PCAn)",
                      path.string(), f.hdu_label() + " column 'PCA0'");
  }
  for (int k = 0; f.has_column("PCA" + std::to_string(k)); ++k) {
    t.components.push_back(f.read_column<double>("PCA" + std::to_string(k)));
  }
  if (t.wave.size() < 2) {
    throw FormatError("fewer than two template wavelengths", path.string(), "column 'WAVE'");
  }
  for (std::size_t i = 0; i < t.wave.size(); ++i) {
    if (!std::isfinite(t.wave[i]) || (i > 0 && !(t.wave[i] > t.wave[i - 1]))) {
      throw FormatError("WAVE must be finite and increasing (row " + std::to_string(i) + ")",
                        path.string(), "column 'WAVE'");
    }
    for (std::size_t k = 0; k < t.components.size(); ++k) {
      if (!std::isfinite(t.components[k][i])) {
        throw FormatError("non-finite value at row " + std::to_string(i), path.string(),
                          "column 'PCA" + std::to_string(k) + "'");
      }
    }
  }
  return t;
}

}  // namespace tessera::healpix
