// tessera subband groups --in DIR: list the observation groups found.
#include <fmt/format.h>

#include <iostream>

#include "command.hpp"
#include "tessera/core/error.hpp"
#include "tessera/subband/grouping.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  if (!ctx.comm.is_root())
    return;
  const std::string dir = ctx.vm["in"].as<std::string>();
  if (!std::filesystem::is_directory(dir))
    throw UsageError("not a directory: " + dir, dir, "--in");
  const auto groups = subband::scan_groups(dir, ctx.vm["tolerance"].as<double>());
  for (const auto& g : groups) {
    std::string detail;
    if (!g.duplicates.empty()) {
      detail = " duplicate " + fmt::format("{}", fmt::join(g.duplicates, "; "));
    } else if (!g.complete()) {
      detail = " missing";
      for (int m : g.missing())
        detail += fmt::format(" sb{:02d}", m);
    }
    std::cout << fmt::format("{}  {:2d}/16  {}{}\n", g.stamp, g.files.size(),
                             g.complete() ? "complete" : "incomplete", detail);
  }
  std::cout.flush();
}

const CommandRegistrar kGroups{Command{
    "subband",
    "groups",
    "list the subband groups in a directory (complete / incomplete)",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("in", po::value<std::string>()->required(), "directory of subband files")(
          "tolerance", po::value<double>()->default_value(60.0),
          "seconds within which timestamps belong to one group");
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
