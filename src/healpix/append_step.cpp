// healpix append (include/tessera/healpix/steps.hpp): baltables read in
// parallel, gathered to rank 0, matched to the catalog by TARGETID and written
// once as the input catalog plus the BAL columns and BALMASK.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/fingerprint.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/healpix/bal_tables.hpp"
#include "tessera/healpix/steps.hpp"
#include "tessera/io/fits_file.hpp"

namespace tessera::healpix {
namespace {

// Rows of this rank's baltables: ids and values (row-major, `width` per row).
struct LocalRows {
  std::vector<std::int64_t> ids;
  std::vector<double> values;
};

template <typename T>
std::vector<T> gather_vector(const Comm& comm, const std::vector<T>& local, MPI_Datatype type) {
  // The size check is agreed on every rank before the gathers, so rank 0
  // refusing never leaves the others inside MPI_Gatherv.
  const std::int64_t total = comm.allreduce_sum(static_cast<std::int64_t>(local.size()));
  if (total > std::numeric_limits<int>::max())
    throw ParallelError("append: more than 2^31 gathered values; use fewer, larger ranks");
  const int n = static_cast<int>(local.size());
  std::vector<int> counts(static_cast<std::size_t>(comm.size()));
  check_mpi(MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm.handle()),
            "MPI_Gather(append sizes)");
  const std::vector<int> displs = displacements(counts);
  std::vector<T> all(comm.is_root() ? static_cast<std::size_t>(total) : 0);
  check_mpi(MPI_Gatherv(local.data(), n, type, all.data(), counts.data(), displs.data(), type, 0,
                        comm.handle()),
            "MPI_Gatherv(append rows)");
  return all;
}

}  // namespace

AppendSummary run_append(const Comm& comm, const AppendOptions& o, FailureLog& failures) {
  AppendSummary s;
  std::vector<std::int64_t> pixels;
  std::int64_t ncomp = 0;
  run_phase(comm, "append: discover baltables", [&] {
    if (!comm.is_root())
      return;
    if (!std::filesystem::exists(o.catalog))
      throw IoError("no such file", o.catalog.string());
    pixels = discover_pixels(o.altzdir, o.sp, "baltable");
    if (pixels.empty()) {
      throw UsageError("no baltable files under " +
                       (o.altzdir / "healpix" / o.sp.survey / o.sp.program).string());
    }
    ncomp = read_baltable(baltable_path(o.altzdir, o.sp, pixels.front())).ncomp;
  });
  comm.bcast(pixels);
  comm.bcast(ncomp);
  s.baltables = static_cast<std::int64_t>(pixels.size());
  const auto columns = bal_columns(static_cast<int>(ncomp));
  std::size_t width = 0;
  for (const auto& c : columns)
    width += static_cast<std::size_t>(c.repeat);

  LocalRows local;
  run_phase(comm, "append: read baltables", [&] {
    perf::Region r("read");
    const BlockRange mine =
        block_range(static_cast<std::int64_t>(pixels.size()), comm.size(), comm.rank());
    for (std::int64_t p = mine.begin; p < mine.end; ++p) {
      const auto path = baltable_path(o.altzdir, o.sp, pixels[static_cast<std::size_t>(p)]);
      const BalTable t = read_baltable(path);
      if (t.ncomp != ncomp) {
        throw FormatError(fmt::format("{} PCA components, other baltables have {}", t.ncomp, ncomp),
                          path.string(), "HDU 'BALCAT' column 'PCA_COEFFS'");
      }
      for (std::int64_t i = 0; i < t.bal.rows; ++i) {
        local.ids.push_back(t.qso[static_cast<std::size_t>(i)].targetid);
        for (std::size_t c = 0; c < columns.size(); ++c) {
          const auto rep = static_cast<std::size_t>(columns[c].repeat);
          const double* v = t.bal.values[c].data() + static_cast<std::size_t>(i) * rep;
          local.values.insert(local.values.end(), v, v + rep);
        }
      }
      perf::add_items(1);
    }
  });
  std::vector<std::int64_t> ids;
  std::vector<double> values;
  {
    perf::Region r("gather");
    ids = gather_vector(comm, local.ids, MPI_INT64_T);
    values = gather_vector(comm, local.values, MPI_DOUBLE);
  }
  run_phase(comm, "append: write catalog", [&] {
    if (!comm.is_root())
      return;
    perf::Region r("write");
    Fingerprint fp;
    fp.add_file(o.catalog);
    for (auto p : pixels)
      fp.add_file(baltable_path(o.altzdir, o.sp, p));
    if (!o.clobber && is_up_to_date(o.out, fp)) {
      log::info("append: {} is up to date", o.out.string());
      return;
    }
    std::unordered_map<std::int64_t, std::size_t> bal_row;
    bal_row.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (!bal_row.emplace(ids[i], i).second) {
        log::warn("append: TARGETID {} appears in more than one baltable; first kept", ids[i]);
      }
    }
    io::FitsFile in(o.catalog, io::FitsFile::Mode::kRead);
    in.move_to_table_with("TARGETID");
    const int cat_hdu = [&] {
      int number = 0;
      fits_get_hdu_num(in.get(), &number);
      return number;
    }();
    if (in.read_key_int("PCOUNT").value_or(0) != 0) {
      throw FormatError("variable-length columns are not supported", o.catalog.string(),
                        in.hdu_label());
    }
    const std::int64_t n = in.num_rows();
    s.catalog_rows = n;
    const auto cat_id = in.read_column<std::int64_t>("TARGETID", 0, n);
    const auto cat_z = in.read_column<double>("Z", 0, n);
    std::vector<io::FitsColumnSpec> specs = in.column_specs();
    for (const auto& c : columns) {
      if (in.has_column(c.name)) {
        throw FormatError("catalog already has BAL column (appended twice?)", o.catalog.string(),
                          in.hdu_label() + " column '" + c.name + "'");
      }
    }
    if (o.dry_run)
      return;
    // Match rows once.
    std::vector<std::int64_t> match(static_cast<std::size_t>(n), -1);
    for (std::size_t i = 0; i < match.size(); ++i) {
      const auto it = bal_row.find(cat_id[i]);
      if (it != bal_row.end()) {
        match[i] = static_cast<std::int64_t>(it->second);
        ++s.matched;
      }
    }
    AtomicFile file(o.out, true);
    {
      io::FitsFile out(file.temp_path(), io::FitsFile::Mode::kCreateBare);
      in.move_to(1);
      in.copy_hdu_to(out);
      in.move_to(cat_hdu);
      // The original columns first, byte for byte, then the BAL columns and
      // BALMASK; every other header record of the catalog HDU is copied.
      for (const auto& c : columns)
        specs.push_back({c.name, c.tform, ""});
      specs.push_back({"BALMASK", "B", ""});
      out.create_table("ZCATALOG", specs, n);
      in.copy_header_keys_to(out, {"EXTNAME"});
      const std::int64_t width_in = in.row_bytes();
      const std::int64_t width_out = out.row_bytes();
      const std::int64_t chunk = std::max<std::int64_t>(1, (8 << 20) / width_out);
      std::vector<std::uint8_t> inbuf(static_cast<std::size_t>(chunk * width_in));
      std::vector<std::uint8_t> outbuf(static_cast<std::size_t>(chunk * width_out));
      // FITS binary tables are big-endian (FITS standard 4.0, section 7.3.3).
      auto put32 = [](std::uint8_t* p, std::uint32_t v) {
        p[0] = static_cast<std::uint8_t>(v >> 24);
        p[1] = static_cast<std::uint8_t>(v >> 16);
        p[2] = static_cast<std::uint8_t>(v >> 8);
        p[3] = static_cast<std::uint8_t>(v);
      };
      for (std::int64_t b0 = 0; b0 < n; b0 += chunk) {
        const std::int64_t k = std::min(chunk, n - b0);
        in.read_row_bytes(b0, k, inbuf.data());
        for (std::int64_t q = 0; q < k; ++q) {
          const auto row = static_cast<std::size_t>(b0 + q);
          std::uint8_t* p = outbuf.data() + q * width_out;
          std::memcpy(p, inbuf.data() + q * width_in, static_cast<std::size_t>(width_in));
          p += width_in;
          const double* v = match[row] < 0
                                ? nullptr
                                : values.data() + static_cast<std::size_t>(match[row]) * width;
          for (const auto& c : columns) {
            for (int e = 0; e < c.repeat; ++e, p += 4) {
              double x = v ? *v++ : 0.0;
              if (!v && c.name == "BAL_PROB")
                x = -99.0;  // spec: unmatched rows
              if (c.integer) {
                put32(p, static_cast<std::uint32_t>(static_cast<std::int32_t>(x)));
              } else {
                put32(p, std::bit_cast<std::uint32_t>(static_cast<float>(x)));
              }
            }
          }
          // BALMASK: 1 when not in any baltable, +2 when Z is outside [1.57, 5.0].
          std::uint8_t mask = match[row] < 0 ? 1 : 0;
          if (!(cat_z[row] >= bal::kZMin && cat_z[row] <= bal::kZMax))
            mask += 2;
          *p = mask;
        }
        out.write_row_bytes(b0, k, outbuf.data());
      }
      perf::add_bytes_written(n * width_out);
      out.close();
    }
    file.commit();
    record_fingerprint(o.out, fp);
    s.unmatched_bal_rows = static_cast<std::int64_t>(ids.size()) - s.matched;
    log::info("append: {} catalog rows, {} with BAL results from {} baltables -> {}", n, s.matched,
              pixels.size(), o.out.string());
    if (s.unmatched_bal_rows > 0) {
      failures.record("append", fmt::format("{} baltable rows have a TARGETID not in {}",
                                            s.unmatched_bal_rows, o.catalog.string()));
    }
  });
  return s;
}

}  // namespace tessera::healpix
