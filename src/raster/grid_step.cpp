// `tessera raster grid`; see include/tessera/raster/grid_step.hpp.
#include "tessera/raster/grid_step.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <string>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/fingerprint.hpp"
#include "tessera/core/group_plan.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/node_shared.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/gdal_raster.hpp"
#include "tessera/raster/cf_grid.hpp"

#include "grid_writer.hpp"

namespace tessera::raster {

namespace {

std::string join_lines(const std::vector<std::filesystem::path>& paths) {
  std::string s;
  for (const auto& p : paths)
    s += p.string() + "\n";
  return s;
}

std::vector<std::filesystem::path> split_lines(const std::string& s) {
  std::vector<std::filesystem::path> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t eol = s.find('\n', pos);
    out.emplace_back(s.substr(pos, eol - pos));
    pos = eol + 1;
  }
  return out;
}

// Parses this rank's block of clusters and all-gathers the T x N table.
ClusterTable gather_cluster_table(const Comm& comm,
                                  const std::vector<std::filesystem::path>& files) {
  const auto n = static_cast<std::int64_t>(files.size());
  const BlockRange mine = block_range(n, comm.size(), comm.rank());
  std::vector<FsmSeries> local;
  std::vector<std::string> local_names;
  run_phase(comm, "raster.grid: parse FSM outputs", [&] {
    perf::Region r("parse");
    for (std::int64_t c = mine.begin; c < mine.end; ++c) {
      local.push_back(read_fsm_file(files[static_cast<std::size_t>(c)]));
      local_names.push_back(files[static_cast<std::size_t>(c)].string());
    }
    // Local consistency first, so the error names the exact file.
    (void)make_cluster_table(local, local_names);
  });
  // Every rank's (start day, days) must agree; checked identically everywhere.
  std::int64_t my_start =
      local.empty() ? std::numeric_limits<std::int64_t>::min() : days_from_civil(local[0].start);
  std::int64_t my_days = local.empty() ? -1 : static_cast<std::int64_t>(local[0].days());
  const std::vector<std::int64_t> starts = comm.allgather(my_start);
  const std::vector<std::int64_t> lengths = comm.allgather(my_days);
  std::int64_t start = 0, days = -1;
  for (int r = 0; r < comm.size(); ++r) {
    if (lengths[static_cast<std::size_t>(r)] < 0)
      continue;
    if (days < 0) {
      start = starts[static_cast<std::size_t>(r)];
      days = lengths[static_cast<std::size_t>(r)];
      continue;
    }
    if (starts[static_cast<std::size_t>(r)] != start ||
        lengths[static_cast<std::size_t>(r)] != days) {
      const BlockRange theirs = block_range(n, comm.size(), r);
      throw FormatError(
          fmt::format("series covers {} + {} days, but {} covers {} + {} days; all clusters must "
                      "cover the same days",
                      iso_date(civil_from_days(starts[static_cast<std::size_t>(r)])),
                      lengths[static_cast<std::size_t>(r)], files[0].string(),
                      iso_date(civil_from_days(start)), days),
          files[static_cast<std::size_t>(theirs.begin)].string());
    }
  }
  ClusterTable table;
  table.start = civil_from_days(start);
  table.days = days;
  table.clusters = n;
  // Pack [cluster_local][var][day] and all-gather into [cluster][var][day].
  const std::int64_t per_cluster = kFsmVariableCount * days;
  std::vector<float> send(static_cast<std::size_t>(mine.size() * per_cluster));
  for (std::int64_t c = 0; c < mine.size(); ++c) {
    for (int v = 0; v < kFsmVariableCount; ++v) {
      const auto& col = local[static_cast<std::size_t>(c)].values[static_cast<std::size_t>(v)];
      std::copy(col.begin(), col.end(),
                send.begin() + static_cast<std::ptrdiff_t>(c * per_cluster + v * days));
    }
  }
  // Each copy of the series is released as soon as the next one exists: the
  // parsed series, the send buffer, the gathered table and the day-major
  // table would otherwise all be alive here (4 x T x N x 4 values).
  std::vector<FsmSeries>().swap(local);
  // Rank r sends the clusters of block_range(n, size, r), so the rank-order
  // concatenation is the cluster order.
  if (n * per_cluster > std::numeric_limits<int>::max()) {
    throw ParallelError("cluster table exceeds 2^31 values; split the run");
  }
  std::vector<float> all = comm.allgatherv(send);
  std::vector<float>().swap(send);
  for (int v = 0; v < kFsmVariableCount; ++v) {
    auto& out = table.values[static_cast<std::size_t>(v)];
    out.resize(static_cast<std::size_t>(days * n));
    for (std::int64_t c = 0; c < n; ++c) {
      const float* src = all.data() + c * per_cluster + v * days;
      for (std::int64_t d = 0; d < days; ++d)
        out[static_cast<std::size_t>(d * n + c)] = src[d];
    }
  }
  return table;
}

}  // namespace

GridStepResult run_grid_step(const Comm& comm, const GridStepOptions& opt) {
  GridStepResult res;
  // 1. The list of FSM files, decided on rank 0.
  std::string listing;
  run_phase(comm, "raster.grid: list FSM outputs", [&] {
    if (comm.is_root())
      listing = join_lines(list_fsm_files(opt.fsm_dir));
  });
  comm.bcast(listing);
  const std::vector<std::filesystem::path> files = split_lines(listing);

  // 2. Clusters over ranks, then the small table everywhere.
  const ClusterTable table = gather_cluster_table(comm, files);
  res.clusters = table.clusters;
  res.days = table.days;

  // 3. The landform: rank 0 reads and checks it, every node gets one copy in
  // shared memory (100 MB at 5000 x 5000; every rank reading its own took
  // 12.8 GB a node at 128 ranks a node, and as many reads of one file).
  std::vector<std::int32_t> read_labels;
  GridAxes axes;
  run_phase(comm, "raster.grid: read landform", [&] {
    if (!comm.is_root())
      return;
    perf::Region r("landform");
    io::GdalRaster lf = io::GdalRaster::open(opt.landform);
    axes.grid.width = lf.width();
    axes.grid.height = lf.height();
    axes.grid.transform = lf.transform();
    if (axes.grid.transform.rx != 0.0 || axes.grid.transform.ry != 0.0) {
      throw FormatError("rotated geotransforms are not supported", opt.landform.string());
    }
    axes.crs_wkt = lf.crs_wkt();
    if (axes.crs_wkt.empty())
      throw FormatError("landform has no CRS", opt.landform.string());
    if (GDALDataTypeIsInteger(lf.band_type(1)) == 0) {
      throw FormatError("landform band 1 is not an integer cluster map", opt.landform.string());
    }
    read_labels = lf.read_band_int(1);
    if (lf.has_nodata(1)) {
      const auto nd = static_cast<std::int32_t>(lf.nodata(1));
      for (auto& l : read_labels) {
        if (l == nd)
          l = -1;
      }
    }
    for (auto& l : read_labels)
      l = std::max(l, -1);
    check_labels(read_labels, axes.grid.width, table.clusters, opt.landform.string(),
                 opt.fsm_dir.string());
  });
  {
    const io::GeoTransform& t = axes.grid.transform;
    std::vector<double> g = {static_cast<double>(axes.grid.width),
                             static_cast<double>(axes.grid.height),
                             t.x0,
                             t.dx,
                             t.rx,
                             t.y0,
                             t.ry,
                             t.dy};
    comm.bcast(g);
    comm.bcast(axes.crs_wkt);
    axes.grid.width = static_cast<int>(g[0]);
    axes.grid.height = static_cast<int>(g[1]);
    axes.grid.transform = io::GeoTransform{g[2], g[3], g[4], g[5], g[6], g[7]};
  }
  const std::int64_t npix = axes.grid.cells();
  NodeSharedBuffer labels_buffer(comm, npix * static_cast<std::int64_t>(sizeof(std::int32_t)));
  auto* labels = static_cast<std::int32_t*>(labels_buffer.data());
  if (comm.is_root()) {
    std::copy(read_labels.begin(), read_labels.end(), labels);
    std::vector<std::int32_t>().swap(read_labels);
  }
  labels_buffer.share_from_root();
  axes.start = table.start;
  axes.days = table.days;
  res.width = axes.grid.width;
  res.height = axes.grid.height;

  // 4. One file per variable; the time axis over ranks, in bounded blocks.
  Fingerprint inputs;
  inputs.add_file(opt.landform);
  for (const auto& f : files)
    inputs.add_file(f);
  std::vector<GridOutput> outputs;
  for (FsmVariable v : opt.variables) {
    GridOutput o;
    o.var = v;
    o.path = opt.out_dir / grid_file_name(v, table.start);
    o.fp = inputs;
    o.fp.add("variable", variable_info(v).name);
    o.fp.add("compat", opt.values.original_compat ? "1" : "0");
    add_layout(o.fp, opt.layout);
    std::int64_t up_to_date = 0;
    if (comm.is_root() && !opt.clobber && is_up_to_date(o.path, o.fp))
      up_to_date = 1;
    comm.bcast(up_to_date);
    if (up_to_date != 0) {
      log::info("raster grid: {} is up to date, skipped", o.path.string());
      res.skipped.push_back(o.path);
      continue;
    }
    outputs.push_back(std::move(o));
  }
  // The (variable, day) pairs: in groups of variables, each on its own
  // communicator, when days alone leave ranks short of work (more ranks than
  // days, or a large remainder: 365 days on 256 ranks). A group's ranks split
  // its days as one communicator did before; a NetCDF-4 file's collective
  // writes involve only its group's ranks.
  const GroupPlan plan =
      plan_item_groups(static_cast<std::int64_t>(outputs.size()), table.days, comm.size());
  const ItemGroup& group = plan.groups[static_cast<std::size_t>(plan.group_of(comm.rank()))];
  const Comm sub = comm.split(plan.group_of(comm.rank()), comm.rank());
  const Comm& gc = plan.groups.size() == 1 ? comm : sub;
  if (plan.groups.size() > 1) {
    log::debug("raster grid: {} groups of variables, {} (variable, day) pairs on the busiest rank",
               plan.groups.size(), plan.busiest);
  }
  std::vector<std::filesystem::path> all_paths;
  for (const auto& o : outputs)
    all_paths.push_back(o.path);
  std::vector<GridOutput> mine;
  for (std::int64_t i = group.items.begin; i < group.items.end; ++i)
    mine.push_back(std::move(outputs[static_cast<std::size_t>(i)]));
  GridWriter(gc, table, labels, axes, opt).write(mine, res);
  // Every output is renamed into place only if every rank of its group wrote
  // its part; one failed variable does not stop the others.
  // Every failure is logged as it happens; the first one is rethrown.
  std::exception_ptr first_failure;
  auto failed = [&] {
    try {
      throw;
    } catch (const std::exception& e) {
      if (gc.is_root())
        log::error("raster grid: {}", e.what());
    }
    if (!first_failure)
      first_failure = std::current_exception();
  };
  for (auto& o : mine) {
    try {
      o.atomic->commit(o.ok, o.min_bytes);
    } catch (...) {
      failed();
      continue;
    }
    try {
      run_phase(gc, "raster grid: record fingerprint", [&] {
        if (gc.is_root())
          record_fingerprint(o.path, o.fp);
      });
    } catch (...) {
      failed();
      continue;
    }
  }
  // Groups learn of each other's failures here; with one group every rank
  // already has the same outcome.
  if (plan.groups.size() > 1)
    check_collective(comm, "raster grid: write", first_failure);
  else if (first_failure)
    std::rethrow_exception(first_failure);
  for (const auto& p : all_paths) {
    res.written.push_back(p);
    log::info("raster grid: wrote {} ({} days x {} x {})", p.string(), table.days, axes.grid.height,
              axes.grid.width);
  }
  return res;
}

}  // namespace tessera::raster
