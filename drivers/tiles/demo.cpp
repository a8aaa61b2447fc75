// The tiles stage of `tessera demo`: small synthetic epochs, then every step.
#include "command.hpp"

namespace tessera::driver {
namespace {

const DemoStageRegistrar kStage{DemoStage{
    "tiles", 40, [](const Comm&, const std::filesystem::path& workdir) {
      const auto dir = workdir / "tiles";
      const std::string a = (dir / "A.las").string(), b = (dir / "B.las").string();
      std::vector<DemoRow> rows;
      rows.push_back(run_command_words({"synth", "tiles", "--out", dir.string(), "--scale", "small",
                                        "--misalign", "--no-progress"},
                                       "2 x 1.2M points, known changes, misaligned B"));
      rows.push_back(run_command_words({"tiles", "info", a, b, "--no-progress"}, "headers"));
      const std::string aligned = (dir / "B_aligned.las").string();
      rows.push_back(run_command_words(
          {"tiles", "align", "--a", a, "--b", b, "--out", aligned, "--clobber", "--no-progress"},
          "ICP transform in B_aligned.las.summary.json"));
      rows.push_back(run_command_words(
          {"tiles", "dod", "--a", a, "--b", aligned, "--cell", "1.0", "--tile-size", "100", "--out",
           (dir / "dod.tif").string(), "--clobber", "--no-progress"},
          "north-up GeoTIFF + volumes"));
      rows.push_back(run_command_words(
          {"tiles", "c2c", "--a", a, "--b", aligned, "--max-dist", "5", "--tile-size", "100",
           "--out", (dir / "c2c.las").string(), "--clobber", "--no-progress"},
          "LAS 1.4 with distance"));
      rows.push_back(run_command_words({"tiles",
                                        "m3c2",
                                        "--a",
                                        a,
                                        "--b",
                                        aligned,
                                        "--normal-radius",
                                        "1.0",
                                        "--cyl-radius",
                                        "1.0",
                                        "--max-depth",
                                        "5",
                                        "--core-step",
                                        "25",
                                        "--tile-size",
                                        "100",
                                        "--out",
                                        (dir / "m3c2.las").string(),
                                        "--clobber",
                                        "--no-progress"},
                                       "LAS 1.4 with distance, lod, significant"));
      return rows;
    }}};

}  // namespace
}  // namespace tessera::driver
