// healpix split (include/tessera/healpix/steps.hpp): catalog rows to zafter
// files per HEALPix pixel, over MPI ranks.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <type_traits>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/exchange.hpp"
#include "tessera/core/fingerprint.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/healpix/bal_tables.hpp"
#include "tessera/healpix/catalog_reader.hpp"
#include "tessera/healpix/steps.hpp"
#include "tessera/healpix/zafter_file.hpp"

namespace tessera::healpix {
namespace {

// One catalog row in flight: 72 bytes, moved as MPI_BYTE records.
struct RowRecord {
  std::int64_t row;
  std::int64_t pixel;
  QsoRecord qso;
};
static_assert(sizeof(RowRecord) == 72);
static_assert(std::is_trivially_copyable_v<RowRecord>);

// Per-pixel tables are flat up to NSIDE 256 (12 * 256^2 pixels, 6 MB of 8-byte
// counts), beyond which clearing and scanning them costs more than sorting.
constexpr std::int64_t kFlatPixelTableMax = std::int64_t{12} << 16;

std::vector<RowRecord> read_block(const SplitOptions& o, const SkyPixelizer& pixelizer,
                                  const Comm& comm, std::int64_t& catalog_rows,
                                  std::int64_t& bytes) {
  perf::Region r("read");
  CatalogReader catalog(o.catalog, o.ra_column, o.dec_column);
  catalog_rows = catalog.num_rows();
  if (comm.is_root() && catalog.layout() == CatalogLayout::kRedrock) {
    log::info("split: {} is a redrock file: {} REDSHIFTS rows joined to FIBERMAP on TARGETID{}",
              o.catalog.string(), catalog_rows,
              catalog.repeated_fibermap_rows() > 0
                  ? fmt::format(" ({} repeated FIBERMAP rows with equal positions: first used)",
                                catalog.repeated_fibermap_rows())
                  : std::string());
  }
  const BlockRange block = block_range(catalog_rows, comm.size(), comm.rank());
  const std::vector<QsoRecord> qso = catalog.read(block.begin, block.size());
  bytes = block.size() * 6 * 8;
  perf::add_bytes_read(bytes);
  std::vector<RowRecord> rows(qso.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::int64_t row = block.begin + static_cast<std::int64_t>(i);
    const QsoRecord& q = qso[i];
    if (!valid_position(q.ra, q.dec)) {
      const bool bad_ra = !(q.ra >= 0.0 && q.ra <= 360.0);
      throw FormatError(fmt::format("row {} (TARGETID {}): {} = {} is {}", row, q.targetid,
                                    bad_ra ? o.ra_column : o.dec_column, bad_ra ? q.ra : q.dec,
                                    bad_ra ? "not in [0, 360]" : "not in [-90, 90]"),
                        o.catalog.string(), catalog.position_label(bad_ra));
    }
    rows[i] = {row, pixelizer.pixel(q.ra, q.dec), q};
  }
  return rows;
}

// Local sparse histogram as (pixel, count) pairs in pixel order: counted in a
// flat table up to NSIDE 256 (one pass), else by sorting the pixel ids.
std::vector<std::int64_t> pixel_histogram(const std::vector<RowRecord>& rows, std::int64_t npix) {
  std::vector<std::int64_t> flat;
  if (npix <= kFlatPixelTableMax) {
    std::vector<std::int64_t> count(static_cast<std::size_t>(npix), 0);
    for (const RowRecord& row : rows)
      ++count[static_cast<std::size_t>(row.pixel)];
    for (std::size_t p = 0; p < count.size(); ++p) {
      if (count[p] > 0) {
        flat.push_back(static_cast<std::int64_t>(p));
        flat.push_back(count[p]);
      }
    }
    return flat;
  }
  std::vector<std::int64_t> ids(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    ids[i] = rows[i].pixel;
  std::sort(ids.begin(), ids.end());
  for (std::size_t i = 0; i < ids.size();) {
    std::size_t j = i;
    while (j < ids.size() && ids[j] == ids[i])
      ++j;
    flat.push_back(ids[i]);
    flat.push_back(static_cast<std::int64_t>(j - i));
    i = j;
  }
  return flat;
}

// Rank 0 gathers the sparse pixel histogram and assigns pixels to ranks by
// LPT on their row counts; every rank gets the (pixel -> owner) map.
std::map<std::int64_t, int> plan_owners(const Comm& comm, const std::vector<RowRecord>& rows,
                                        std::int64_t npix) {
  perf::Region r("plan");
  const std::vector<std::int64_t> flat = pixel_histogram(rows, npix);
  const std::vector<std::int64_t> all = comm.gatherv(flat);
  std::vector<std::int64_t> plan;  // pixel, owner pairs
  if (comm.is_root()) {
    std::map<std::int64_t, std::int64_t> global;
    for (std::size_t i = 0; i + 1 < all.size(); i += 2)
      global[all[i]] += all[i + 1];
    std::vector<double> weights;
    std::vector<std::int64_t> pixels;
    for (const auto& [pixel, count] : global) {
      pixels.push_back(pixel);
      // Writing a file costs about as much as a few hundred rows.
      weights.push_back(static_cast<double>(count) + 300.0);
    }
    const LptPlan lpt = lpt_plan(weights, comm.size());
    for (std::size_t i = 0; i < pixels.size(); ++i) {
      plan.push_back(pixels[i]);
      plan.push_back(lpt.owner[i]);
    }
  }
  comm.bcast(plan);
  std::map<std::int64_t, int> owners;
  for (std::size_t i = 0; i + 1 < plan.size(); i += 2)
    owners[plan[i]] = static_cast<int>(plan[i + 1]);
  return owners;
}

std::vector<RowRecord> exchange(const Comm& comm, std::vector<RowRecord> rows,
                                const std::map<std::int64_t, int>& owners, std::int64_t npix) {
  perf::Region r("exchange");
  if (comm.size() == 1)
    return rows;  // every pixel is ours: no copies, no MPI
  const auto p = static_cast<std::size_t>(comm.size());
  std::vector<int> owner_of(rows.size());
  std::vector<std::int64_t> send_counts(p, 0);
  // A flat pixel -> owner table when it is small (NSIDE <= 2048), else the map.
  std::vector<int> table;
  if (npix <= (std::int64_t{1} << 26)) {
    table.assign(static_cast<std::size_t>(npix), 0);
    for (const auto& [pixel, owner] : owners)
      table[static_cast<std::size_t>(pixel)] = owner;
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    owner_of[i] =
        table.empty() ? owners.at(rows[i].pixel) : table[static_cast<std::size_t>(rows[i].pixel)];
    ++send_counts[static_cast<std::size_t>(owner_of[i])];
  }
  std::vector<RowRecord> send(rows.size());
  std::vector<std::int64_t> fill = send_offsets(send_counts);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    send[static_cast<std::size_t>(fill[static_cast<std::size_t>(owner_of[i])]++)] = rows[i];
  }
  rows.clear();
  rows.shrink_to_fit();
  return exchange_records(comm, send, send_counts, "split: catalog rows");
}

// This rank's rows grouped by pixel: rows[order[start[k]] .. order[start[k+1] - 1]]
// are those of pixels[k], in catalog order. 4-byte indices: a rank holds far
// fewer than 2^32 rows (MPI counts already limit it to 2^31).
struct PixelGroups {
  std::vector<std::int64_t> pixels;  // ascending
  std::vector<std::size_t> start;
  std::vector<std::uint32_t> order;
};

// Rows arrive in catalog order within each pixel (sender blocks are ascending
// row ranges, received in rank order, each packed in row order), so a stable
// counting sort by pixel gives the (pixel, row) order that makes outputs
// independent of the rank count: O(n) on 4-byte indices, where a comparison
// sort of the 72-byte records cost as much as writing the files.
PixelGroups group_by_pixel(const std::vector<RowRecord>& rows,
                           const std::map<std::int64_t, int>& owners, int rank, std::int64_t npix) {
  perf::Region r("group");
  PixelGroups g;
  for (const auto& [pixel, owner] : owners) {
    if (owner == rank)
      g.pixels.push_back(pixel);
  }
  // Pixel -> group: a flat table up to NSIDE 256, else a binary search.
  std::vector<std::uint32_t> table;
  if (npix <= kFlatPixelTableMax) {
    table.assign(static_cast<std::size_t>(npix), 0);
    for (std::size_t k = 0; k < g.pixels.size(); ++k)
      table[static_cast<std::size_t>(g.pixels[k])] = static_cast<std::uint32_t>(k);
  }
  std::vector<std::uint32_t> group(rows.size());
  g.start.assign(g.pixels.size() + 1, 0);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    group[i] = table.empty()
                   ? static_cast<std::uint32_t>(
                         std::lower_bound(g.pixels.begin(), g.pixels.end(), rows[i].pixel) -
                         g.pixels.begin())
                   : table[static_cast<std::size_t>(rows[i].pixel)];
    ++g.start[group[i] + 1];
  }
  for (std::size_t k = 1; k < g.start.size(); ++k)
    g.start[k] += g.start[k - 1];
  g.order.resize(rows.size());
  std::vector<std::size_t> fill(g.start.begin(), g.start.end() - 1);
  for (std::size_t i = 0; i < rows.size(); ++i)
    g.order[fill[group[i]]++] = static_cast<std::uint32_t>(i);
  return g;
}

}  // namespace

SplitSummary run_split(const Comm& comm, const SplitOptions& o, FailureLog& failures) {
  SplitSummary s;
  const SkyPixelizer pixelizer(o.nside, o.scheme);
  std::vector<RowRecord> rows;
  std::int64_t bytes = 0;
  // Phase 1: read and validate; any bad row stops every rank before output.
  run_phase(comm, "split: read catalog",
            [&] { rows = read_block(o, pixelizer, comm, s.catalog_rows, bytes); });
  s.bytes_read = comm.allreduce_sum(bytes);
  const auto owners = plan_owners(comm, rows, pixelizer.npix());
  s.pixels = static_cast<std::int64_t>(owners.size());
  if (o.dry_run) {
    if (comm.is_root()) {
      log::info("split (dry run): {} rows into {} pixels under {}", s.catalog_rows, s.pixels,
                o.altzdir.string());
    }
    return s;
  }
  rows = exchange(comm, std::move(rows), owners, pixelizer.npix());
  const PixelGroups groups = group_by_pixel(rows, owners, comm.rank(), pixelizer.npix());
  std::int64_t written = 0;
  std::int64_t skipped = 0;
  {
    perf::Region r("write");
    Fingerprint base;
    base.add_file(o.catalog)
        .add("nside", std::to_string(o.nside))
        .add("scheme", o.scheme == PixelScheme::kNested ? "nest" : "ring")
        .add("ra", o.ra_column)
        .add("dec", o.dec_column);
    std::vector<QsoRecord> pixel_rows;
    for (std::size_t k = 0; k < groups.pixels.size(); ++k) {
      const std::int64_t pixel = groups.pixels[k];
      const auto path = zafter_path(o.altzdir, o.sp, pixel);
      const auto nrows = static_cast<std::int64_t>(groups.start[k + 1] - groups.start[k]);
      Fingerprint fp = base;
      fp.add("pixel", std::to_string(pixel));
      const std::string fingerprint = fp.hex();
      try {
        // The fingerprint lives in the zafter header (zafter_file.hpp): one
        // read checks it, no sidecar file to create per pixel.
        if (!o.clobber && zafter_is_current(path, nrows, o.nside, pixel, fingerprint)) {
          ++skipped;
          written += nrows;
          continue;
        }
        pixel_rows.clear();
        for (std::size_t j = groups.start[k]; j < groups.start[k + 1]; ++j)
          pixel_rows.push_back(rows[groups.order[j]].qso);
        AtomicFile out(path, true);
        const std::int64_t file_bytes =
            write_zafter(out.temp_path(), pixel_rows, o.nside, pixel, fingerprint);
        out.commit();
        written += nrows;
        perf::add_items(1);
        perf::add_bytes_written(file_bytes);
      } catch (const Error& e) {
        failures.record(fmt::format("pixel {}", pixel), e.what());
      }
    }
  }
  s.rows_written = comm.allreduce_sum(written);
  s.files_skipped = comm.allreduce_sum(skipped);
  if (comm.is_root()) {
    log::info("split: {} catalog rows -> {} rows in {} zafter files ({} up to date){}",
              s.catalog_rows, s.rows_written, s.pixels, s.files_skipped,
              s.rows_written == s.catalog_rows ? ", row totals agree" : "");
  }
  const std::int64_t failed = comm.allreduce_sum(static_cast<std::int64_t>(failures.size()));
  s.pixels_failed = failed;
  if (s.rows_written != s.catalog_rows && failed == 0) {
    throw ParallelError(
        fmt::format("split wrote {} rows for {} catalog rows", s.rows_written, s.catalog_rows),
        o.catalog.string());
  }
  return s;
}

}  // namespace tessera::healpix
