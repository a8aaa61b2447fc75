// `tessera raster stats`; see include/tessera/raster/stats_step.hpp.
#include "tessera/raster/stats_step.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <vector>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/fingerprint.hpp"
#include "tessera/core/group_plan.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/gdal_vector.hpp"
#include "tessera/raster/day_source.hpp"
#include "tessera/raster/fsm_output.hpp"
#include "tessera/raster/stats_zones.hpp"
#include "tessera/raster/zonal_stats.hpp"

namespace tessera::raster {

namespace {

constexpr int kStatCount = 5;  // mean sum min max covered_area

struct Zone {
  std::string name;
  bool group = false;
  Coverage coverage;
};

// 15 significant digits: every decimal of this length survives a round trip
// through a double, and means of float data agree with exact references to
// ~1e-12 (the tests compare to 1e-9), so the tables do not limit them.
std::string num(double v) {
  if (std::isnan(v))
    return "nan";
  return fmt::format("{:.15g}", v);
}

/// A variable name as part of a file name: anything but [A-Za-z0-9_.-] becomes '_'.
std::string file_safe(std::string name) {
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      c = '_';
  }
  return name;
}

/// A CSV field: quoted when it holds a comma, quote or line break (RFC 4180),
/// e.g. a GeoTIFF band description used as a day label.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos)
    return s;
  std::string q = "\"";
  for (char c : s) {
    q += c;
    if (c == '"')
      q += '"';
  }
  return q + "\"";
}

}  // namespace

StatsStepResult run_stats_step(const Comm& comm, const StatsStepOptions& opt) {
  StatsStepResult res;
  // 1. The days and variables: Tessera's grids, or rasters GDAL opens.
  if (opt.rasters.empty() == opt.grids_dir.empty())
    throw UsageError("give either --grids (Tessera's grids) or --raster (rasters GDAL opens)");
  std::unique_ptr<DaySource> src;
  if (!opt.grids_dir.empty()) {
    src = open_tessera_grids(comm, opt.grids_dir);
  } else {
    run_phase(comm, "raster.stats: open rasters",
              [&] { src = open_gdal_rasters(opt.rasters, opt.variable); });
  }
  const RasterGrid& grid = src->grid();
  const std::vector<std::string>& vars = src->variables();
  res.days = src->days();
  res.variables = static_cast<std::int64_t>(vars.size());
  // The per-zone pass below holds every variable's day in a fixed array.
  if (vars.size() > static_cast<std::size_t>(kFsmVariableCount))
    throw FormatError(fmt::format("{} variables; at most {}", vars.size(), kFsmVariableCount));

  Fingerprint fp;
  for (const auto& p : src->files())
    fp.add_file(p);
  fp.add_file(opt.basins);
  fp.add("id", opt.id_field).add("group", opt.group_field).add("layer", opt.layer);
  fp.add("threshold", fmt::format("{}", opt.snow_threshold_mm));
  for (const auto& r : opt.rasters)
    fp.add("raster", r);
  fp.add("variable", opt.variable).add("basins-crs", opt.basins_crs);
  fp.add("duplicate-ids", opt.duplicate_ids == DuplicateIds::kMerge ? "merge" : "error");
  const std::filesystem::path long_csv = opt.out_dir / "statistics.csv";
  std::int64_t up_to_date = 0;
  if (comm.is_root() && !opt.clobber && is_up_to_date(long_csv, fp))
    up_to_date = 1;
  comm.bcast(up_to_date);
  if (up_to_date != 0) {
    log::info("raster stats: {} is up to date, skipped", long_csv.string());
    src->close();
    res.skipped = true;
    return res;
  }

  // 2. Basins in the raster's CRS and the groups' unions. The work is
  // (zone, day) pairs: by days alone unless there are more ranks than days
  // (or a large remainder), then in groups of zones whose ranks share the
  // days (core/group_plan.hpp). A rank computes the coverage of its own zones
  // only, and reads only the rows they cover.
  std::vector<Zone> zones;
  std::vector<MultiPolygon> shapes;
  run_phase(comm, "raster.stats: basins", [&] {
    const auto feats = io::read_polygon_layer(opt.basins, opt.id_field, opt.group_field,
                                              src->crs_wkt(), opt.layer, opt.basins_crs);
    for (auto& z : make_zones(feats, opt.duplicate_ids, !opt.group_field.empty(),
                              opt.basins.string(), opt.id_field)) {
      zones.push_back({z.name, z.group, {}});
      shapes.push_back(std::move(z.shape));
      if (z.group)
        ++res.groups;
      else
        ++res.basins;
    }
  });
  const GroupPlan plan =
      plan_item_groups(static_cast<std::int64_t>(zones.size()), res.days, comm.size());
  const ItemGroup& group = plan.groups[static_cast<std::size_t>(plan.group_of(comm.rank()))];
  const std::size_t z0 = static_cast<std::size_t>(group.items.begin),
                    z1 = static_cast<std::size_t>(group.items.end);
  run_phase(comm, "raster.stats: coverage", [&] {
    perf::Region r("coverage");
    for (std::size_t z = z0; z < z1; ++z)
      zones[z].coverage = coverage_fractions(shapes[z], grid);
    std::vector<MultiPolygon>().swap(shapes);
  });
  // A zone outside the raster gets NaN statistics; most often the layer's
  // CRS is not what its file says, so say so once.
  std::vector<int> uncovered_all(zones.size(), 0);
  for (std::size_t z = z0; z < z1; ++z)
    uncovered_all[z] = zones[z].coverage.cell.empty() ? 1 : 0;
  comm.allreduce(uncovered_all, ReduceOp::max);
  if (comm.is_root()) {
    std::string outside;
    int n = 0;
    for (std::size_t z = 0; z < zones.size(); ++z) {
      if (uncovered_all[z] != 0 && n++ < 5)
        outside += (outside.empty() ? "" : ", ") + zones[z].name;
    }
    if (n > 0) {
      log::warn(
          "raster stats: {} zone(s) cover no cell of the raster ({}{}); their statistics are "
          "NaN. If the polygons should overlap it, check the layer's CRS (--basins-crs)",
          n, outside, n > 5 ? ", ..." : "");
    }
  }

  // 3. The group's days over its ranks; independent reads in bounded blocks
  // of the rows this rank's zones cover (the cells are re-indexed to that
  // window).
  std::vector<const Coverage*> covs;
  for (std::size_t z = z0; z < z1; ++z)
    covs.push_back(&zones[z].coverage);
  const RowWindow window = covered_rows(covs, grid.width);
  for (std::size_t z = z0; z < z1; ++z)
    shift_to_window(zones[z].coverage, window, grid.width);
  const std::int64_t npix = window.rows() * grid.width;
  const int group_ranks = static_cast<int>(group.parts.size());
  const BlockRange mine =
      block_range(res.days, group_ranks, comm.rank() - static_cast<int>(group.parts.begin));
  const std::int64_t per_day_bytes = npix * 4 * static_cast<std::int64_t>(vars.size());
  const std::int64_t block_days =
      std::max<std::int64_t>(1, opt.block_bytes / std::max<std::int64_t>(1, per_day_bytes));
  const std::int64_t rounds = (mine.size() + block_days - 1) / block_days;
  const std::size_t nz = zones.size(), nv = vars.size(), nzl = z1 - z0;
  // Per day: [zone][var][stat] then [zone] snow-covered fraction; locally
  // over this rank's zones.
  const std::size_t per_day = nz * nv * kStatCount + nz;
  const std::size_t per_day_local = nzl * nv * kStatCount + nzl;
  std::vector<double> local(static_cast<std::size_t>(mine.size()) * per_day_local);
  const double cell_area = grid.cell_area();
  // The snow-covered fraction is of swe (mm), when the input has it.
  const auto swe_it = std::find(vars.begin(), vars.end(), std::string("swe"));
  std::vector<std::vector<float>> slab(nv);
  run_phase(comm, "raster.stats: statistics", [&] {
    src->begin_reads();
    for (std::int64_t round = 0; round < rounds; ++round) {
      const std::int64_t t0 = mine.begin + round * block_days;
      const std::int64_t nt = std::clamp<std::int64_t>(mine.end - t0, 0, block_days);
      {
        perf::Region r("read");
        for (std::size_t v = 0; v < nv; ++v) {
          slab[v].resize(static_cast<std::size_t>(nt * npix));
          if (npix > 0)  // none of this rank's zones covers a cell
            src->read(v, t0, nt, window, slab[v].data());
        }
      }
      perf::Region r("zones");
      const int swe_index = swe_it == vars.end() ? -1 : static_cast<int>(swe_it - vars.begin());
#pragma omp parallel for collapse(2) schedule(dynamic)
      for (std::int64_t k = 0; k < nt; ++k) {
        for (std::size_t zl = 0; zl < nzl; ++zl) {
          const std::size_t z = z0 + zl;
          double* row =
              local.data() + static_cast<std::size_t>(t0 - mine.begin + k) * per_day_local;
          std::array<const float*, kFsmVariableCount> day{};
          std::array<ZoneStats, kFsmVariableCount> s{};
          for (std::size_t v = 0; v < nv; ++v)
            day[v] = slab[v].data() + k * npix;
          zone_day_stats(zones[z].coverage, day.data(), nv, cell_area, swe_index,
                         opt.snow_threshold_mm, s.data(), &row[nzl * nv * kStatCount + zl]);
          for (std::size_t v = 0; v < nv; ++v) {
            double* o = row + (zl * nv + v) * kStatCount;
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
  src->close();

  // 4. Gather to rank 0: each rank's block of days x its zones, placed into
  // [day][zone] order by rank 0 from the plan every rank computed.
  // MPI's counts are int; the total is the same on every rank, so all refuse
  // together (docs/performance.md#scaling-model: ~280k zones at 365 days).
  if (res.days * static_cast<std::int64_t>(per_day) > std::numeric_limits<int>::max())
    throw ParallelError(fmt::format(
        "raster stats: {} days x {} values per day exceed 2^31 in one gather; use fewer basins "
        "per run",
        res.days, per_day));
  // Where rank r's values go: its zones [zb, ze) and days [db, de).
  struct Share {
    std::size_t zb, ze;
    BlockRange days;
  };
  std::vector<Share> shares;
  std::vector<int> counts(static_cast<std::size_t>(comm.size()));
  for (int r = 0; r < comm.size(); ++r) {
    const ItemGroup& g = plan.groups[static_cast<std::size_t>(plan.group_of(r))];
    const BlockRange d = block_range(res.days, static_cast<int>(g.parts.size()),
                                     r - static_cast<int>(g.parts.begin));
    const auto zn = static_cast<std::size_t>(g.items.size());
    shares.push_back(
        {static_cast<std::size_t>(g.items.begin), static_cast<std::size_t>(g.items.end), d});
    counts[static_cast<std::size_t>(r)] =
        static_cast<int>(d.size() * static_cast<std::int64_t>(zn * nv * kStatCount + zn));
  }
  const std::vector<int> displs = displacements(counts);
  std::vector<double> all;
  std::vector<double> gathered = comm.gatherv(local);
  if (comm.is_root()) {
    all.resize(gathered.size());
    for (int r = 0; r < comm.size(); ++r) {
      const Share& sh = shares[static_cast<std::size_t>(r)];
      const std::size_t zn = sh.ze - sh.zb, local_day = zn * nv * kStatCount + zn;
      const double* in = gathered.data() + displs[static_cast<std::size_t>(r)];
      for (std::int64_t d = sh.days.begin; d < sh.days.end; ++d) {
        const double* src_day = in + static_cast<std::size_t>(d - sh.days.begin) * local_day;
        double* dst_day = all.data() + static_cast<std::size_t>(d) * per_day;
        std::copy(src_day, src_day + zn * nv * kStatCount, dst_day + sh.zb * nv * kStatCount);
        std::copy(src_day + zn * nv * kStatCount, src_day + local_day,
                  dst_day + nz * nv * kStatCount + sh.zb);
      }
    }
    std::vector<double>().swap(gathered);
  }

  // 5. Tables, written by rank 0.
  run_phase(comm, "raster.stats: write tables", [&] {
    if (!comm.is_root())
      return;
    perf::Region r("write");
    std::vector<std::string> dates;
    for (const auto& label : src->day_labels())
      dates.push_back(csv_field(label));
    auto value = [&](std::int64_t d, std::size_t z, std::size_t v, int s) {
      return all[static_cast<std::size_t>(d) * per_day + (z * nv + v) * kStatCount +
                 static_cast<std::size_t>(s)];
    };
    for (std::size_t v = 0; v < nv; ++v) {
      const std::string name = file_safe(vars[v]);
      for (int pass = 0; pass < (res.groups == 0 ? 1 : 2); ++pass) {
        const bool groups = pass == 1;
        std::string text = "Date";
        for (const Zone& z : zones) {
          if (z.group == groups) {
            text += ',';
            text += csv_field(z.name);
          }
        }
        text += "\n";
        for (std::int64_t d = 0; d < res.days; ++d) {
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
    for (std::int64_t d = 0; d < res.days; ++d) {
      for (std::size_t z = 0; z < nz; ++z) {
        const double scf = all[static_cast<std::size_t>(d) * per_day + nz * nv * kStatCount + z];
        for (std::size_t v = 0; v < nv; ++v) {
          text += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", dates[static_cast<std::size_t>(d)],
                              zones[z].group ? "group" : "basin", csv_field(zones[z].name),
                              csv_field(vars[v]), num(value(d, z, v, 0)), num(value(d, z, v, 1)),
                              num(value(d, z, v, 2)), num(value(d, z, v, 3)),
                              num(value(d, z, v, 4)), num(scf));
        }
      }
    }
    write_file_atomically(long_csv, text);
    record_fingerprint(long_csv, fp);
  });
  return res;
}

}  // namespace tessera::raster
