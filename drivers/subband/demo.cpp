// The subband stage of `tessera demo`: synth a small group, list, validate, convert.
#include "command.hpp"

namespace tessera::driver {
namespace {

const DemoStageRegistrar kStage{DemoStage{
    "subband", 20, [](const Comm&, const std::filesystem::path& workdir) {
      const auto dir = workdir / "subband";
      const auto in = (dir / "incoming").string();
      std::vector<DemoRow> rows;
      rows.push_back(
          run_command_words({"synth", "subband", "--out", in, "--scale", "small", "--no-progress"},
                            "1 group x 16 subbands, 20 antennas, 16 ch each"));
      rows.push_back(run_command_words({"subband", "groups", "--in", in, "--no-progress"},
                                       "groups by timestamp (60 s tolerance)"));
      rows.push_back(run_command_words(
          {"subband", "convert", "--in", in, "--out", (dir / "uvh5").string(), "--no-progress"},
          "256 channels, uvw, meridian phasing -> UVH5 1.1"));
      return rows;
    }}};

}  // namespace
}  // namespace tessera::driver
