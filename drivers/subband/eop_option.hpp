// --eop FILE and --dut1 S for `subband convert` and `subband stream`.
//
// The IERS table (data/iers/ of the repository, share/tessera/iers/
// installed, found by tessera::data_file; $TESSERA_DATA_DIR wins) is read by
// rank 0 and broadcast as text, so 256 ranks do not open one file each.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <utility>

#include "command.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/data_dir.hpp"
#include "tessera/core/error.hpp"
#include "tessera/subband/convert.hpp"
#include "tessera/subband/eop.hpp"

namespace tessera::driver {

inline constexpr const char* kDefaultEop = "iers/eopc04_IAU2000.62-now";

inline void add_eop_options(po::options_description& d) {
  d.add_options()("eop", po::value<std::string>(),
                  "IERS Earth-orientation table (EOP C04 or finals2000A) for UT1-UTC and polar "
                  "motion (default: the copy shipped in the data directory, iers/)")(
      "dut1", po::value<double>(),
      "UT1 - UTC in seconds for every time, overriding the table's (polar motion still from it)");
}

/// Loads the table on rank 0, broadcasts it, parses it on every rank and
/// fills options.eop / options.dut1_override.
inline void load_eop_options(StepContext& ctx, subband::ConvertOptions& o) {
  const bool given = ctx.vm.count("eop") > 0;
  const std::filesystem::path path =
      given ? std::filesystem::path(ctx.vm["eop"].as<std::string>()) : data_file(kDefaultEop);
  std::string text;
  std::shared_ptr<const subband::EopTable> table;  // rank 0 parses once, inside the phase
  run_phase(ctx.comm, "read the Earth-orientation table", [&] {
    if (!ctx.comm.is_root())
      return;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      if (given)
        throw UsageError("--eop: no such file", path.string(), "--eop");
      throw IoError("IERS Earth-orientation table not found; " + data_search_note(kDefaultEop) +
                        ", or pass --eop",
                    path.string());
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    text = s.str();
    table = std::make_shared<const subband::EopTable>(
        subband::EopTable::parse(text, path.string()));  // a bad table fails here, named
  });
  ctx.comm.bcast(text);
  if (!table)
    table =
        std::make_shared<const subband::EopTable>(subband::EopTable::parse(text, path.string()));
  o.eop = std::move(table);
  if (ctx.vm.count("dut1")) {
    const double dut1 = ctx.vm["dut1"].as<double>();
    if (!(std::abs(dut1) < 0.9))
      throw UsageError("|--dut1| must be below 0.9 s", "", "--dut1");
    o.dut1_override = dut1;
  }
}

}  // namespace tessera::driver
