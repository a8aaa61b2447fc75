// The healpix stage of `tessera demo`: synth (small), split, balfind, append.
#include "command.hpp"

namespace tessera::driver {
namespace {

const DemoStageRegistrar kStage{DemoStage{
    "healpix", 10, [](const Comm&, const std::filesystem::path& workdir) {
      const auto& dir = workdir;
      const auto altz = (dir / "altz").string();
      const auto cat = (dir / "QSO_cat.fits").string();
      std::vector<DemoRow> rows;
      rows.push_back(run_command_words({"synth", "healpix", "--out", dir.string(), "--scale",
                                        "small", "--seed", "7", "--no-progress"},
                                       "small catalog, 8 coadds, truth table"));
      rows.push_back(
          run_command_words({"healpix", "split", "--catalog", cat, "--out", altz, "--no-progress"},
                            "catalog rows into zafter files (NSIDE 64 nested)"));
      rows.push_back(
          run_command_words({"healpix", "balfind", "--altzdir", altz, "--redux",
                             (dir / "redux").string(), "--only-with-coadd", "--no-progress"},
                            "PCA fit + CIV/SiIV trough search per QSO"));
      rows.push_back(
          run_command_words({"healpix", "append", "--catalog", cat, "--altzdir", altz, "--out",
                             (dir / "QSO_cat-altbal.fits").string(), "--no-progress"},
                            "catalog + BAL columns + BALMASK"));
      return rows;
    }}};

}  // namespace
}  // namespace tessera::driver
