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
  std::vector<float> src_block, dst_block;
  for (std::size_t i = 0; i < vars.size(); ++i) {
    const FsmVariable v = vars[i];
    const std::string name = variable_info(v).name;
    const std::filesystem::path out = opt.out_dir / paths[i].filename();
    Fingerprint fp;
    fp.add_file(paths[i]).add("to", opt.to).add("resampling", opt.resampling);
    add_layout(fp, opt.layout);
    std::int64_t up_to_date = 0;
    if (comm.is_root() && !opt.clobber && is_up_to_date(out, fp))
      up_to_date = 1;
    comm.bcast(up_to_date);
    if (up_to_date != 0) {
      res.skipped.push_back(out);
      continue;
    }
    perf::Region rv("warp." + name);
    io::NcFile in;
    GridAxes src;
    int in_var = -1;
    std::exception_ptr open_failed;
    capture_error(open_failed, [&] {
      in = io::NcFile::open(comm.handle(), paths[i]);
      src = read_cf_axes(in, name);
      in_var = in.varid(name);
    });
    try {
      check_collective(comm, "raster reproject: open " + paths[i].filename().string(), open_failed);
    } catch (const CollectiveError& e) {
      // A damaged grid is that variable's failure: the other variables are
      // still warped (one bad item never sinks the others).
      if (opt.failures == nullptr)
        throw;
      if (comm.is_root())
        opt.failures->record(paths[i].string(), e.what());
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
    comm.bcast(shared);
    dg.width = static_cast<int>(shared[0]);
    dg.height = static_cast<int>(shared[1]);
    dg.transform =
        io::GeoTransform{shared[2], shared[3], shared[4], shared[5], shared[6], shared[7]};
    comm.bcast(dst_wkt);
    GridAxes dst = src;
    dst.grid = RasterGrid{dg.width, dg.height, dg.transform};
    dst.crs_wkt = dst_wkt;
    res.width = dg.width;
    res.height = dg.height;
    io::GridWarper warper(sg, src.crs_wkt, dg, dst_wkt, alg);

    const std::int64_t snpix = src.grid.cells(), dnpix = dst.grid.cells();
    const BlockRange mine = block_range(src.days, comm.size(), comm.rank());
    const std::int64_t block_days =
        std::max<std::int64_t>(1, opt.block_bytes / std::max<std::int64_t>(1, 4 * (snpix + dnpix)));
    const std::int64_t rounds = comm.allreduce_max((mine.size() + block_days - 1) / block_days);
    CollectiveAtomicFile atomic(comm, out, true);
    bool ok = true;
    std::int64_t min_bytes = 0;  // a short file is not renamed into place
    try {
      // NetCDF-4: no collective HDF5 write starts without room for it (see
      // grid_writer.cpp: parallel HDF5 hangs rather than fails on a full disk).
      const bool nc4 = opt.layout.file.format == io::NcFormat::kNetcdf4;
      const std::int64_t margin = hdf5_metadata_margin(grid_chunk_count(dst, opt.layout));
      if (nc4)
        require_free_space(comm, out, margin);
      int out_var = -1;
      io::NcFile nc = create_cf_grid(comm.handle(), atomic.temp_path(), dst, cf_variable(v),
                                     std::numeric_limits<float>::quiet_NaN(), opt.layout, &out_var);
      for (std::int64_t round = 0; round < rounds; ++round) {
        const std::int64_t t0 = mine.begin + round * block_days;
        const std::int64_t nt = std::clamp<std::int64_t>(mine.end - t0, 0, block_days);
        if (nc4)
          require_free_space(comm, out, comm.allreduce_sum(nt * dnpix * 4) + margin);
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
        check_collective(comm, "raster reproject: " + out.filename().string(), failed);
      }
      min_bytes = nc.data_end();
      nc.close();
    } catch (const std::exception& e) {
      log::error("raster reproject: {}", e.what());
      ok = false;
    }
    in.close();
    atomic.commit(ok, min_bytes);
    run_phase(comm, "raster reproject: record fingerprint", [&] {
      if (comm.is_root())
        record_fingerprint(out, fp);
    });
    res.written.push_back(out);
    log::info("raster reproject: wrote {} ({} x {})", out.string(), dg.width, dg.height);
  }
  return res;
}

}  // namespace tessera::raster
