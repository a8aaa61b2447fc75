// The demo's first stage: the built-in workload, so `tessera demo` exercises
// the coordinator, a collective HDF5 write and the perf report on any install.
#include "command.hpp"

namespace tessera::driver {
namespace {

const DemoStageRegistrar kStage{DemoStage{
    "check", 0, [](const Comm&, const std::filesystem::path& workdir) {
      std::vector<DemoRow> rows;
      rows.push_back(run_command_words(
          {"check", "workload", "--items", "500", "--out", workdir.string(), "--no-progress"},
          "500 uneven items claimed dynamically, collective HDF5 write"));
      return rows;
    }}};

}  // namespace
}  // namespace tessera::driver
