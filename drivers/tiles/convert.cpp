// tessera tiles convert: LAS <-> LAZ (by the output's extension).
#include <cctype>
#include <cstdio>
#include <string>

#include "command.hpp"
#include "step_result.hpp"
#include "tessera/core/atomic_file.hpp"
#include "tessera/core/error.hpp"
#include "tessera/tiles/steps.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  if (!ctx.vm.count("files") || ctx.vm["files"].as<std::vector<std::string>>().size() != 2)
    throw UsageError("tiles convert needs an input and an output file (IN.las OUT.laz or back)");
  const auto files = ctx.vm["files"].as<std::vector<std::string>>();
  tiles::ConvertOptions o;
  o.in = files[0];
  o.out = files[1];
  o.clobber = ctx.common.clobber;
  const int chunk = ctx.vm["chunk-size"].as<int>();
  if (chunk < 1)
    throw UsageError("--chunk-size must be at least 1");
  o.chunk_size = static_cast<std::uint32_t>(chunk);
  std::string ext = o.out.extension().string();
  for (char& c : ext)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext != ".las" && ext != ".laz") {
    throw UsageError("the output's extension chooses its format: .las or .laz, not \"" +
                         o.out.extension().string() + "\"",
                     o.out.string());
  }
  // A missing or unreadable input is the reader's error (naming it).
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(o.in, ec);
  if (!ec)
    ctx.info.input_bytes[files[0]] = static_cast<std::int64_t>(bytes);
  if (ctx.common.dry_run)
    return;
  const nlohmann::json j = tiles::run_convert(ctx.comm, o);
  ctx.result = tiles_cli::file_result(j);
  if (ctx.comm.is_root()) {
    std::printf(
        "%s -> %s: %llu points, %lld bytes%s\n", o.in.string().c_str(), o.out.string().c_str(),
        static_cast<unsigned long long>(j["points"].get<std::uint64_t>()),
        static_cast<long long>(j["bytes_out"].get<std::int64_t>()),
        j.contains("compression_ratio")
            ? (" (compression " + std::to_string(j["compression_ratio"].get<double>()) + "x)")
                  .c_str()
            : "");
    if (ctx.vm.count("json"))
      write_file_atomically(ctx.vm["json"].as<std::string>(), j.dump(2) + "\n");
  }
}

const CommandRegistrar kConvert{Command{
    "tiles",
    "convert",
    "LAS <-> LAZ (LAZ: compressor 2 for point formats 0-5, 3 for 6-10), by the output's extension",
    [](po::options_description& d, po::positional_options_description& pos) {
      d.add_options()("files", po::value<std::vector<std::string>>(), "IN OUT")(
          "chunk-size", po::value<int>()->default_value(50000), "points per LAZ chunk written")(
          "json", po::value<std::string>(), "also write the facts as JSON here");
      pos.add("files", -1);
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
