// `tessera raster reproject`; see include/tessera/raster/reproject_step.hpp.
#include "tessera/raster/reproject_step.hpp"

#include <algorithm>
#include <limits>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/fault.hpp"
#include "tessera/core/fingerprint.hpp"
#include "tessera/core/free_space.hpp"
#include "tessera/core/group_plan.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/gdal_vector.hpp"
#include "tessera/io/gdal_warp.hpp"
#include "tessera/raster/cf_grid.hpp"

namespace tessera::raster {

ReprojectStepResult run_reproject_step(const Comm& comm, const ReprojectStepOptions& opt) {
  ReprojectStepResult res;
  std::string dst_wkt;
  GDALResampleAlg alg = GRA_NearestNeighbour;
  std::vector<FsmVariable> vars;
  std::vector<std::filesystem::path> paths;
  run_phase(comm, "raster.reproject: inputs", [&] {
    try {
      dst_wkt = io::crs_to_wkt(opt.to);
    } catch (const Error& e) {  // the option's value, not a file, is wrong: exit 2
      throw UsageError(e.message(), "", "--to");
    }
    alg = io::parse_resampling(opt.resampling);
    for (int v = 0; v < kFsmVariableCount; ++v) {
      const auto p = find_grid_file(opt.grids_dir, static_cast<FsmVariable>(v));
      if (!p.empty()) {
        vars.push_back(static_cast<FsmVariable>(v));
        paths.push_back(p);
      }
    }
    if (vars.empty())
      throw IoError("no gridded variables found", opt.grids_dir.string());
  });
  // The variables still to do (rank 0 decides) and their days.
  struct Todo {
    std::size_t var_index;
    std::filesystem::path out;
    Fingerprint fp;
  };
  std::vector<Todo> todo;
  std::vector<std::int64_t> fresh(vars.size(), 0);
  std::int64_t days = 0;
  for (std::size_t i = 0; i < vars.size(); ++i) {
    Todo t{i, opt.out_dir / paths[i].filename(), {}};
    t.fp.add_file(paths[i]).add("to", opt.to).add("resampling", opt.resampling);
    add_layout(t.fp, opt.layout);
    if (comm.is_root() && !opt.clobber && is_up_to_date(t.out, t.fp))
      fresh[i] = 1;
    todo.push_back(std::move(t));
  }
  run_phase(comm, "raster.reproject: days", [&] {
    if (comm.is_root() && !paths.empty())  // MPI_COMM_SELF: the NetCDF library's handle
      days = io::NcFile::open(MPI_COMM_SELF, paths[0]).dim_length("time");
  });
  comm.bcast(fresh);
  comm.bcast(days);
  comm.bcast(dst_wkt);  // rank 0's, for every group's files (see below)
  {
    std::vector<Todo> left;
    for (auto& t : todo) {
      if (fresh[t.var_index] != 0)
        res.skipped.push_back(t.out);
      else
        left.push_back(std::move(t));
    }
    todo = std::move(left);
  }
  // (variable, day) pairs in groups of variables, each group on its own
  // communicator, as in `raster grid` (core/group_plan.hpp): with more ranks
  // than days, or a large remainder, days alone leave ranks idle.
  const GroupPlan plan =
      plan_item_groups(static_cast<std::int64_t>(todo.size()), days, comm.size());
  const int my_group = plan.group_of(comm.rank());
  const Comm sub = comm.split(my_group, comm.rank());
  const Comm& gc = plan.groups.size() == 1 ? comm : sub;
  const BlockRange my_items = plan.groups[static_cast<std::size_t>(my_group)].items;
  std::exception_ptr group_failure;
  std::vector<std::int64_t> failed_item(todo.size(), 0);
  std::vector<float> src_block, dst_block;
  for (std::int64_t item = my_items.begin; item < my_items.end && !group_failure; ++item) {
    try {
      const Todo& td = todo[static_cast<std::size_t>(item)];
      const std::size_t i = td.var_index;
      const FsmVariable v = vars[i];
      const std::string name = variable_info(v).name;
      const std::filesystem::path& out = td.out;
      const Fingerprint& fp = td.fp;
      perf::Region rv("warp." + name);
      io::NcFile in;
      GridAxes src;
      int in_var = -1;
      std::exception_ptr open_failed;
      capture_error(open_failed, [&] {
        in = io::NcFile::open(gc.handle(), paths[i]);
        src = read_cf_axes(in, name);
        in_var = in.varid(name);
      });
      try {
        check_collective(gc, "raster reproject: open " + paths[i].filename().string(), open_failed);
      } catch (const CollectiveError& e) {
        // A damaged grid is that variable's failure: the other variables are
        // still warped (one bad item never sinks the others).
        if (opt.failures == nullptr)
          throw;
        if (gc.is_root())
          opt.failures->record(paths[i].string(), e.what());
        failed_item[static_cast<std::size_t>(item)] = 1;
        continue;
      }
      const io::WarpGrid sg{src.grid.width, src.grid.height, src.grid.transform};
      // Every rank defines the same file, and PnetCDF keeps the header each
      // rank defined: rank 0's target grid and CRS are the ones. Computed on
      // every rank, GDAL's suggestion and PROJ's WKT could differ in the last
      // digits (seen in `tessera demo`, where rank 0 had run other steps first):
      // the header, and so every data offset, then differed between ranks and
      // the file came out 512 bytes short with its data shifted (ncvalidator:
      // "file size is less than expected"). The commit's length check catches
      // any such file.
      io::WarpGrid dg = io::suggest_warp_grid(sg, src.crs_wkt, dst_wkt);
      std::vector<double> shared = {static_cast<double>(dg.width),
                                    static_cast<double>(dg.height),
                                    dg.transform.x0,
                                    dg.transform.dx,
                                    dg.transform.rx,
                                    dg.transform.y0,
                                    dg.transform.ry,
                                    dg.transform.dy};
      gc.bcast(shared);
      dg.width = static_cast<int>(shared[0]);
      dg.height = static_cast<int>(shared[1]);
      dg.transform =
          io::GeoTransform{shared[2], shared[3], shared[4], shared[5], shared[6], shared[7]};
      gc.bcast(dst_wkt);
      GridAxes dst = src;
      dst.grid = RasterGrid{dg.width, dg.height, dg.transform};
      dst.crs_wkt = dst_wkt;
      res.width = dg.width;
      res.height = dg.height;
      io::GridWarper warper(sg, src.crs_wkt, dg, dst_wkt, alg);

      const std::int64_t snpix = src.grid.cells(), dnpix = dst.grid.cells();
      const BlockRange mine = block_range(src.days, gc.size(), gc.rank());
      const std::int64_t block_days = std::max<std::int64_t>(
          1, opt.block_bytes / std::max<std::int64_t>(1, 4 * (snpix + dnpix)));
      const std::int64_t rounds = gc.allreduce_max((mine.size() + block_days - 1) / block_days);
      CollectiveAtomicFile atomic(gc, out, true);
      bool ok = true;
      std::int64_t min_bytes = 0;  // a short file is not renamed into place
      try {
        // NetCDF-4: no collective HDF5 write starts without room for it (see
        // grid_writer.cpp: parallel HDF5 hangs rather than fails on a full disk).
        const bool nc4 = opt.layout.file.format == io::NcFormat::kNetcdf4;
        const std::int64_t margin = hdf5_metadata_margin(grid_chunk_count(dst, opt.layout));
        if (nc4)
          require_free_space(gc, out, margin);
        int out_var = -1;
        io::NcFile nc =
            create_cf_grid(gc.handle(), atomic.temp_path(), dst, cf_variable(v),
                           std::numeric_limits<float>::quiet_NaN(), opt.layout, &out_var);
        for (std::int64_t round = 0; round < rounds; ++round) {
          const std::int64_t t0 = mine.begin + round * block_days;
          const std::int64_t nt = std::clamp<std::int64_t>(mine.end - t0, 0, block_days);
          if (nc4)
            require_free_space(gc, out, gc.allreduce_sum(nt * dnpix * 4) + margin);
          // get_all and wait_all are collective: every rank calls both in every
          // round whatever failed locally; one check per round agrees on errors.
          std::exception_ptr failed;
          capture_error(failed, [&] {
            src_block.resize(static_cast<std::size_t>(std::max<std::int64_t>(nt, 1) * snpix));
            in.get_all(in_var, {static_cast<MPI_Offset>(nt > 0 ? t0 : 0), 0, 0},
                       {static_cast<MPI_Offset>(nt), src.grid.height, src.grid.width},
                       src_block.data());
          });
          capture_error(failed, [&] {
            if (nt == 0)
              return;
            fault_point("raster.reproject.warp");
            dst_block.resize(static_cast<std::size_t>(nt * dnpix));
            for (std::int64_t k = 0; k < nt; ++k) {
              warper.warp(src_block.data() + k * snpix, dst_block.data() + k * dnpix);
            }
            nc.iput(out_var, {static_cast<MPI_Offset>(t0), 0, 0},
                    {static_cast<MPI_Offset>(nt), dg.height, dg.width}, dst_block.data());
            perf::add_bytes_written(nt * dnpix * 4);
          });
          std::exception_ptr wait_failed;
          capture_error(wait_failed, [&] { nc.wait_all(); });
          if (!failed)
            failed = wait_failed;
          check_collective(gc, "raster reproject: " + out.filename().string(), failed);
        }
        min_bytes = nc.data_end();
        nc.close();
      } catch (const std::exception& e) {
        log::error("raster reproject: {}", e.what());
        ok = false;
      }
      in.close();
      atomic.commit(ok, min_bytes);
      run_phase(gc, "raster reproject: record fingerprint", [&] {
        if (gc.is_root())
          record_fingerprint(out, fp);
      });
      log::info("raster reproject: wrote {} ({} x {})", out.string(), dg.width, dg.height);
    } catch (...) {
      group_failure = std::current_exception();
    }
  }
  // With one group every rank already has the same outcome; groups learn of
  // each other's failures here.
  if (plan.groups.size() > 1)
    check_collective(comm, "raster reproject", group_failure);
  else if (group_failure)
    std::rethrow_exception(group_failure);
  for (std::size_t k = 0; k < todo.size(); ++k) {
    if (comm.allreduce_max(failed_item[k]) == 0)  // at most 4 variables
      res.written.push_back(todo[k].out);
  }
  return res;
}

}  // namespace tessera::raster
