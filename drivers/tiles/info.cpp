// tessera tiles info: header, bounds, counts per class, density.
#include "command.hpp"
#include "step_result.hpp"
#include "tessera/core/atomic_file.hpp"
#include "tessera/core/error.hpp"
#include "tessera/tiles/steps.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  if (!ctx.vm.count("files"))
    throw UsageError("tiles info needs one or two LAS files");
  std::vector<std::filesystem::path> files;
  for (const auto& f : ctx.vm["files"].as<std::vector<std::string>>()) {
    files.emplace_back(f);
    // A missing or unreadable file is the reader's error (naming it), not
    // std::filesystem's.
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(f, ec);
    if (!ec)
      ctx.info.input_bytes[f] = static_cast<std::int64_t>(bytes);
  }
  if (ctx.common.dry_run)
    return;
  const nlohmann::json j = tiles::run_info(ctx.comm, files);
  ctx.result = tiles_cli::file_result(nlohmann::json::object(), 0);  // reads, writes nothing
  ctx.result->done = static_cast<std::int64_t>(files.size());
  if (ctx.comm.is_root() && ctx.vm.count("json")) {
    write_file_atomically(ctx.vm["json"].as<std::string>(), j.dump(2) + "\n");
  }
}

const CommandRegistrar kInfo{
    Command{"tiles",
            "info",
            "LAS header, bounds, class counts and density",
            [](po::options_description& d, po::positional_options_description& pos) {
              d.add_options()("files", po::value<std::vector<std::string>>(), "LAS files")(
                  "json", po::value<std::string>(), "also write the facts as JSON here");
              pos.add("files", -1);
            },
            run,
            {}}};

}  // namespace
}  // namespace tessera::driver
