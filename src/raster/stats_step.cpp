// `tessera raster stats`; see include/tessera/raster/stats_step.hpp.
#include "tessera/raster/stats_step.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <vector>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/fingerprint.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/gdal_vector.hpp"
#include "tessera/io/nc_file.hpp"
#include "tessera/raster/cf_grid.hpp"
#include "tessera/raster/zonal_stats.hpp"

namespace tessera::raster {

namespace {

constexpr int kStatCount = 5;  // mean sum min max covered_area

struct Zone {
  std::string name;
  bool group = false;
  Coverage coverage;
};

std::string num(double v) {
  if (std::isnan(v))
    return "nan";
  return fmt::format("{:.10g}", v);
}

}  // namespace

StatsStepResult run_stats_step(const Comm& comm, const StatsStepOptions& opt) {
  StatsStepResult res;
  // 1. The variables present and their axes (all must share one grid).
  std::vector<FsmVariable> vars;
  std::vector<std::filesystem::path> paths;
  run_phase(comm, "raster.stats: find grids", [&] {
    for (int v = 0; v < kFsmVariableCount; ++v) {
      const auto fv = static_cast<FsmVariable>(v);
      const auto p = find_grid_file(opt.grids_dir, fv);
      if (!p.empty()) {
        vars.push_back(fv);
        paths.push_back(p);
      }
    }
    if (vars.empty()) {
      throw IoError("no *_SWE.nc, *_HS.nc, *_ROF.nc or *_GST.nc grids", opt.grids_dir.string());
    }
  });
  std::vector<io::NcFile> files;
  GridAxes axes;
  std::vector<int> varids;
  for (std::size_t i = 0; i < vars.size(); ++i) {
    files.push_back(io::NcFile::open(comm.handle(), paths[i]));
    const GridAxes a = read_cf_axes(files.back(), variable_info(vars[i]).name);
    varids.push_back(files.back().varid(variable_info(vars[i]).name));
    if (i == 0) {
      axes = a;
    } else if (a.grid.width != axes.grid.width || a.grid.height != axes.grid.height ||
               a.days != axes.days || !(a.start == axes.start)) {
      throw FormatError("grid or time axis differs from " + paths[0].string(), paths[i].string());
    }
  }
  res.days = axes.days;
  res.variables = static_cast<std::int64_t>(vars.size());

  Fingerprint fp;
  for (const auto& p : paths)
    fp.add_file(p);
  fp.add_file(opt.basins);
  fp.add("id", opt.id_field).add("group", opt.group_field).add("layer", opt.layer);
  fp.add("threshold", fmt::format("{}", opt.snow_threshold_mm));
  const std::filesystem::path long_csv = opt.out_dir / "statistics.csv";
  std::int64_t up_to_date = 0;
  if (comm.is_root() && !opt.clobber && is_up_to_date(long_csv, fp))
    up_to_date = 1;
  comm.bcast(up_to_date);
  if (up_to_date != 0) {
    log::info("raster stats: {} is up to date, skipped", long_csv.string());
    res.skipped = true;
    return res;
  }

  // 2. Basins in the raster's CRS, their coverage, and the groups' unions.
  std::vector<Zone> zones;
  std::vector<std::string> basin_ids, group_names;
  run_phase(comm, "raster.stats: basins and coverage", [&] {
    perf::Region r("coverage");
    const auto feats =
        io::read_polygon_layer(opt.basins, opt.id_field, opt.group_field, axes.crs_wkt, opt.layer);
    std::map<std::string, std::int64_t> seen;
    for (const auto& f : feats) {
      if (auto [it, fresh] = seen.emplace(f.id, f.fid); !fresh) {
        throw FormatError(fmt::format("{} value '{}' appears in features FID {} and {}",
                                      opt.id_field, f.id, it->second, f.fid),
                          opt.basins.string());
      }
      zones.push_back({f.id, false, coverage_fractions(f.shape, axes.grid)});
      basin_ids.push_back(f.id);
    }
    if (!opt.group_field.empty()) {
      std::vector<std::vector<const io::MultiPolygon*>> members;
      for (const auto& f : feats) {
        auto it = std::find(group_names.begin(), group_names.end(), f.group);
        if (it == group_names.end()) {
          group_names.push_back(f.group);
          members.emplace_back();
          it = group_names.end() - 1;
        }
        members[static_cast<std::size_t>(it - group_names.begin())].push_back(&f.shape);
      }
      for (std::size_t g = 0; g < group_names.size(); ++g) {
        zones.push_back(
            {group_names[g], true, coverage_fractions(io::union_of(members[g]), axes.grid)});
      }
    }
  });
  res.basins = static_cast<std::int64_t>(basin_ids.size());
  res.groups = static_cast<std::int64_t>(group_names.size());

  // 3. Days over ranks; independent reads in bounded blocks of the rows the
  // zones cover (the cells are re-indexed to that window).
  std::vector<const Coverage*> covs;
  for (const Zone& z : zones)
    covs.push_back(&z.coverage);
  const RowWindow window = covered_rows(covs, axes.grid.width);
  for (Zone& z : zones)
    shift_to_window(z.coverage, window, axes.grid.width);
  const std::int64_t npix = window.rows() * axes.grid.width;
  const BlockRange mine = block_range(axes.days, comm.size(), comm.rank());
  const std::int64_t per_day_bytes = npix * 4 * static_cast<std::int64_t>(vars.size());
  const std::int64_t block_days =
      std::max<std::int64_t>(1, opt.block_bytes / std::max<std::int64_t>(1, per_day_bytes));
  const std::int64_t rounds = (mine.size() + block_days - 1) / block_days;
  const std::size_t nz = zones.size(), nv = vars.size();
  // Per day: [zone][var][stat] then [zone] snow-covered fraction.
  const std::size_t per_day = nz * nv * kStatCount + nz;
  std::vector<double> local(static_cast<std::size_t>(mine.size()) * per_day);
  const double cell_area = axes.grid.cell_area();
  const auto swe_it = std::find(vars.begin(), vars.end(), FsmVariable::kSwe);
  std::vector<std::vector<float>> slab(nv);
  run_phase(comm, "raster.stats: statistics", [&] {
    // Independent reads: each rank's days are one contiguous run per block,
    // disjoint from the other ranks', so collective I/O has nothing to merge
    // and would only make every rank wait for the slowest at every block.
    for (auto& f : files)
      f.begin_independent();
    for (std::int64_t round = 0; round < rounds; ++round) {
      const std::int64_t t0 = mine.begin + round * block_days;
      const std::int64_t nt = std::clamp<std::int64_t>(mine.end - t0, 0, block_days);
      {
        perf::Region r("read");
        for (std::size_t v = 0; v < nv; ++v) {
          slab[v].resize(static_cast<std::size_t>(nt * npix));
          files[v].get(varids[v],
                       {static_cast<MPI_Offset>(t0), static_cast<MPI_Offset>(window.first), 0},
                       {static_cast<MPI_Offset>(nt), static_cast<MPI_Offset>(window.rows()),
                        axes.grid.width},
                       slab[v].data());
          perf::add_bytes_read(nt * npix * 4);
        }
      }
      perf::Region r("zones");
      const int swe_index = swe_it == vars.end() ? -1 : static_cast<int>(swe_it - vars.begin());
#pragma omp parallel for collapse(2) schedule(dynamic)
      for (std::int64_t k = 0; k < nt; ++k) {
        for (std::size_t z = 0; z < nz; ++z) {
          double* row = local.data() + static_cast<std::size_t>(t0 - mine.begin + k) * per_day;
          std::array<const float*, kFsmVariableCount> day{};
          std::array<ZoneStats, kFsmVariableCount> s{};
          for (std::size_t v = 0; v < nv; ++v)
            day[v] = slab[v].data() + k * npix;
          zone_day_stats(zones[z].coverage, day.data(), nv, cell_area, swe_index,
                         opt.snow_threshold_mm, s.data(), &row[nz * nv * kStatCount + z]);
          for (std::size_t v = 0; v < nv; ++v) {
            double* o = row + (z * nv + v) * kStatCount;
            o[0] = s[v].mean;
            o[1] = s[v].sum;
            o[2] = s[v].min;
            o[3] = s[v].max;
            o[4] = s[v].covered_area;
          }
        }
      }
    }
  });
  for (auto& f : files)
    f.close();

  // 4. Gather to rank 0 (rank blocks of days are contiguous, in rank order).
  // MPI's counts are int; the total is the same on every rank, so all refuse
  // together (docs/performance.md#scaling-model: ~280k zones at 365 days).
  if (axes.days * static_cast<std::int64_t>(per_day) > std::numeric_limits<int>::max())
    throw ParallelError(fmt::format(
        "raster stats: {} days x {} values per day exceed 2^31 in one gather; use fewer basins "
        "per run",
        axes.days, per_day));
  std::vector<double> all;
  std::vector<int> counts(static_cast<std::size_t>(comm.size())),
      displs(static_cast<std::size_t>(comm.size()));
  for (int r = 0; r < comm.size(); ++r) {
    const BlockRange b = block_range(axes.days, comm.size(), r);
    counts[static_cast<std::size_t>(r)] =
        static_cast<int>(b.size() * static_cast<std::int64_t>(per_day));
    displs[static_cast<std::size_t>(r)] =
        static_cast<int>(b.begin * static_cast<std::int64_t>(per_day));
  }
  if (comm.is_root())
    all.resize(static_cast<std::size_t>(axes.days) * per_day);
  check_mpi(MPI_Gatherv(local.data(), static_cast<int>(local.size()), MPI_DOUBLE, all.data(),
                        counts.data(), displs.data(), MPI_DOUBLE, 0, comm.handle()),
            "MPI_Gatherv (statistics)");

  // 5. Tables, written by rank 0.
  run_phase(comm, "raster.stats: write tables", [&] {
    if (!comm.is_root())
      return;
    perf::Region r("write");
    const std::int64_t day0 = days_from_civil(axes.start);
    std::vector<std::string> dates;
    for (std::int64_t d = 0; d < axes.days; ++d)
      dates.push_back(iso_date(civil_from_days(day0 + d)));
    auto value = [&](std::int64_t d, std::size_t z, std::size_t v, int s) {
      return all[static_cast<std::size_t>(d) * per_day + (z * nv + v) * kStatCount +
                 static_cast<std::size_t>(s)];
    };
    for (std::size_t v = 0; v < nv; ++v) {
      const std::string name = variable_info(vars[v]).name;
      for (int pass = 0; pass < (group_names.empty() ? 1 : 2); ++pass) {
        const bool groups = pass == 1;
        std::string text = "Date";
        for (const Zone& z : zones) {
          if (z.group == groups)
            text += "," + z.name;
        }
        text += "\n";
        for (std::int64_t d = 0; d < axes.days; ++d) {
          text += dates[static_cast<std::size_t>(d)];
          for (std::size_t z = 0; z < nz; ++z) {
            if (zones[z].group == groups) {
              text += ',';
              text += num(value(d, z, v, 0));
            }
          }
          text += "\n";
        }
        write_file_atomically(opt.out_dir / (name + (groups ? "_basin_mean_values_table.csv"
                                                            : "_mean_values_table.csv")),
                              text);
      }
    }
    std::string text =
        "date,zone_type,zone,variable,mean,sum,min,max,covered_area,snow_covered_fraction\n";
    for (std::int64_t d = 0; d < axes.days; ++d) {
      for (std::size_t z = 0; z < nz; ++z) {
        const double scf = all[static_cast<std::size_t>(d) * per_day + nz * nv * kStatCount + z];
        for (std::size_t v = 0; v < nv; ++v) {
          text += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", dates[static_cast<std::size_t>(d)],
                              zones[z].group ? "group" : "basin", zones[z].name,
                              variable_info(vars[v]).name, num(value(d, z, v, 0)),
                              num(value(d, z, v, 1)), num(value(d, z, v, 2)),
                              num(value(d, z, v, 3)), num(value(d, z, v, 4)), num(scf));
        }
      }
    }
    write_file_atomically(long_csv, text);
    record_fingerprint(long_csv, fp);
  });
  return res;
}

}  // namespace tessera::raster
