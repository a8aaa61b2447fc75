// DaySource over Tessera's own grids (`raster grid --out`), read through
// io::NcFile; see include/tessera/raster/day_source.hpp.
#include <fmt/format.h>

#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/nc_file.hpp"
#include "tessera/raster/cf_grid.hpp"
#include "tessera/raster/day_source.hpp"

namespace tessera::raster {

namespace {

class TesseraGridSource final : public DaySource {
 public:
  TesseraGridSource(const Comm& comm, const std::filesystem::path& dir) {
    std::vector<FsmVariable> vars;
    run_phase(comm, "raster.stats: find grids", [&] {
      for (int v = 0; v < kFsmVariableCount; ++v) {
        const auto fv = static_cast<FsmVariable>(v);
        const auto p = find_grid_file(dir, fv);
        if (!p.empty()) {
          vars.push_back(fv);
          files_.push_back(p);
        }
      }
      if (vars.empty())
        throw IoError("no *_SWE.nc, *_HS.nc, *_ROF.nc or *_GST.nc grids", dir.string());
    });
    GridAxes axes;
    for (std::size_t i = 0; i < vars.size(); ++i) {
      const std::string name = variable_info(vars[i]).name;
      nc_.push_back(io::NcFile::open(comm.handle(), files_[i]));
      const GridAxes a = read_cf_axes(nc_.back(), name);
      varids_.push_back(nc_.back().varid(name));
      variables_.push_back(name);
      if (i == 0) {
        axes = a;
      } else if (a.grid.width != axes.grid.width || a.grid.height != axes.grid.height ||
                 a.days != axes.days || !(a.start == axes.start)) {
        throw FormatError("grid or time axis differs from " + files_[0].string(),
                          files_[i].string());
      }
    }
    grid_ = axes.grid;
    crs_wkt_ = axes.crs_wkt;
    const std::int64_t day0 = days_from_civil(axes.start);
    for (std::int64_t d = 0; d < axes.days; ++d)
      labels_.push_back(iso_date(civil_from_days(day0 + d)));
  }

  // Independent reads: each rank's days are one contiguous run per block,
  // disjoint from the other ranks', so collective I/O has nothing to merge
  // and would only make every rank wait for the slowest at every block.
  void begin_reads() override {
    for (auto& f : nc_)
      f.begin_independent();
  }

  void read(std::size_t var, std::int64_t t0, std::int64_t nt, const RowWindow& window,
            float* out) override {
    nc_[var].get(varids_[var],
                 {static_cast<MPI_Offset>(t0), static_cast<MPI_Offset>(window.first), 0},
                 {static_cast<MPI_Offset>(nt), static_cast<MPI_Offset>(window.rows()),
                  static_cast<MPI_Offset>(grid_.width)},
                 out);
    perf::add_bytes_read(nt * window.rows() * grid_.width * 4);
  }

  void close() override {
    for (auto& f : nc_)
      f.close();
  }

 private:
  std::vector<io::NcFile> nc_;
  std::vector<int> varids_;
};

}  // namespace

std::unique_ptr<DaySource> open_tessera_grids(const Comm& comm, const std::filesystem::path& dir) {
  return std::make_unique<TesseraGridSource>(comm, dir);
}

}  // namespace tessera::raster
