// See grid_writer.hpp.
#include "grid_writer.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/core/free_space.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/perf.hpp"

namespace tessera::raster {

GridWriter::GridWriter(const Comm& comm, const ClusterTable& table, const std::int32_t* labels,
                       const GridAxes& axes, const GridStepOptions& opt)
    : comm_(comm),
      table_(table),
      labels_(labels),
      axes_(axes),
      opt_(opt),
      mine_(block_range(table.days, comm.size(), comm.rank())),
      block_days_(std::max<std::int64_t>(
          1, opt.block_bytes / std::max<std::int64_t>(1, axes.grid.cells() * 4))) {}

// Why NetCDF-4 output checks free space before every collective write:
// parallel HDF5 does not fail collectively. On a full file system one rank's
// metadata write fails while the others go on, and the ranks then wait in
// different collectives inside HDF5 for ever (seen here: rank 0 in a barrier
// of H5AC's flush, rank 1 in H5FD_truncate's broadcast, under nc_enddef).
// So no write starts unless the file system holds its raw size (compression
// never makes a chunk much larger: zlib adds 5 bytes a 16 KiB block, RFC
// 1950/1951) plus a margin for HDF5's own metadata; each round leaves that
// margin free, so the final flush at close fits too. Space taken by other
// programs at the same moment is not covered: --timeout ends such a run.
std::int64_t GridWriter::metadata_margin() const {
  return hdf5_metadata_margin(grid_chunk_count(axes_, opt_.layout));
}

bool GridWriter::room_for(GridOutput& o, std::int64_t bytes) const {
  try {
    require_free_space(comm_, o.path, bytes);
  } catch (const std::exception& e) {
    if (comm_.is_root())
      log::error("raster grid: {}", e.what());
    o.ok = false;
    o.room = false;
    return false;
  }
  return true;
}

void GridWriter::create(GridOutput& o) const {
  o.atomic = std::make_unique<CollectiveAtomicFile>(comm_, o.path, /*clobber=*/true);
  if (opt_.layout.file.format == io::NcFormat::kNetcdf4 && !room_for(o, metadata_margin()))
    return;
  try {
    const float fill = opt_.values.original_compat ? 0.0f : std::numeric_limits<float>::quiet_NaN();
    o.nc = create_cf_grid(comm_.handle(), o.atomic->temp_path(), axes_, cf_variable(o.var), fill,
                          opt_.layout, &o.varid);
  } catch (const std::exception& e) {
    log::error("raster grid: {}: {}", o.path.string(), e.what());
    o.ok = false;
  }
}

void GridWriter::put_days(GridOutput& o, std::int64_t t0, std::int64_t nt,
                          std::vector<float>& block, GridStepResult& res) const {
  const std::int64_t npix = axes_.grid.cells();
  block.resize(static_cast<std::size_t>(nt * npix));
  {
    perf::Region rg("gather");
#pragma omp parallel for schedule(static)
    for (std::int64_t k = 0; k < nt; ++k) {
      grid_day(table_.day_row(o.var, t0 + k), labels_, npix, opt_.values, block.data() + k * npix);
    }
    perf::add_items(nt);  // (variable, day) pairs: the step's work items
  }
  o.nc.iput(o.varid, {static_cast<MPI_Offset>(t0), 0, 0},
            {static_cast<MPI_Offset>(nt), axes_.grid.height, axes_.grid.width}, block.data());
  perf::add_bytes_written(nt * npix * 4);
  res.bytes_written += nt * npix * 4;
}

void GridWriter::write_staggered(std::vector<GridOutput>& outputs, GridStepResult& res) const {
  const auto n = static_cast<int>(outputs.size());
  for (auto& o : outputs) {
    try {
      if (o.ok)
        o.nc.begin_independent();  // collective
    } catch (const std::exception& e) {
      log::error("raster grid: {}: {}", o.path.string(), e.what());
      o.ok = false;
    }
  }
  std::vector<float> block;
  for (int k = 0; k < n; ++k) {
    GridOutput& o = outputs[static_cast<std::size_t>((k + comm_.rank()) % n)];
    perf::Region rv(std::string("write.") + variable_info(o.var).name);
    if (!o.ok)
      continue;
    try {
      for (std::int64_t t0 = mine_.begin; t0 < mine_.end; t0 += block_days_) {
        put_days(o, t0, std::min(block_days_, mine_.end - t0), block, res);
        perf::Region rw("wait");
        o.nc.wait();  // independent: this rank's block only
      }
    } catch (const std::exception& e) {
      log::error("raster grid: {}: {}", o.path.string(), e.what());
      o.ok = false;
    }
  }
}

void GridWriter::write_collective(std::vector<GridOutput>& outputs, GridStepResult& res) const {
  const std::int64_t my_rounds = (mine_.size() + block_days_ - 1) / block_days_;
  const std::int64_t rounds = comm_.allreduce_max(my_rounds);
  std::vector<float> block;
  const bool nc4 = opt_.layout.file.format == io::NcFormat::kNetcdf4;
  const std::int64_t npix = axes_.grid.cells();
  for (auto& o : outputs) {
    perf::Region rv(std::string("write.") + variable_info(o.var).name);
    // A rank that failed still joins every round's wait_all (with nothing
    // queued), so the others are not left waiting in the collective.
    for (std::int64_t round = 0; round < rounds; ++round) {
      const std::int64_t t0 = mine_.begin + round * block_days_;
      const std::int64_t nt = std::clamp<std::int64_t>(mine_.end - t0, 0, block_days_);
      if (nc4 && o.room && o.nc.is_open()) {
        const std::int64_t raw = comm_.allreduce_sum(nt * npix * 4);
        (void)room_for(o, raw + metadata_margin());
      }
      if (!o.room)
        break;  // on every rank alike: no further collective on this file
      try {
        if (o.ok && nt > 0)
          put_days(o, t0, nt, block, res);
      } catch (const std::exception& e) {
        log::error("raster grid: {}: {}", o.path.string(), e.what());
        o.ok = false;
      }
      if (!o.nc.is_open())
        continue;  // creation failed on every rank alike
      perf::Region rw("wait_all");
      try {
        o.nc.wait_all();  // collective: every rank, every round
      } catch (const std::exception& e) {
        log::error("raster grid: {}: {}", o.path.string(), e.what());
        o.ok = false;
      }
    }
  }
}

void GridWriter::write(std::vector<GridOutput>& outputs, GridStepResult& res) const {
  {
    perf::Region r("create");
    for (auto& o : outputs)
      create(o);
  }
  if (opt_.collective_writes || opt_.layout.file.format == io::NcFormat::kNetcdf4)
    write_collective(outputs, res);
  else
    write_staggered(outputs, res);
  perf::Region r("close");
  for (auto& o : outputs) {
    try {
      if (o.ok)
        o.min_bytes = o.nc.data_end();  // checked by commit: a short file is not renamed
      o.nc.close();                     // collective; a no-op where creation failed
    } catch (const std::exception& e) {
      log::error("raster grid: {}: {}", o.path.string(), e.what());
      o.ok = false;
    }
  }
}

}  // namespace tessera::raster
