// healpix balfind (include/tessera/healpix/steps.hpp): the BAL finder over
// pixels claimed dynamically by ranks, QSOs on OpenMP threads.
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <filesystem>
#include <utility>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/coordinator.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/fingerprint.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/core/progress.hpp"
#include "tessera/healpix/bal_tables.hpp"
#include "tessera/healpix/coadd_reader.hpp"
#include "tessera/healpix/pca_templates.hpp"
#include "tessera/healpix/steps.hpp"

namespace tessera::healpix {
namespace {

struct PixelOutcome {
  std::int64_t qsos = 0;
  std::int64_t qso_failures = 0;
  bool skipped = false;
  double read_seconds = 0.0;
  double fit_seconds = 0.0;
  double fit_cpu_seconds = 0.0;  // thread CPU time inside find_bal
};

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

PixelOutcome run_pixel(std::int64_t pixel, const BalfindOptions& o, const PcaTemplates& templates,
                       FailureLog& failures) {
  PixelOutcome out;
  const auto zafter = zafter_path(o.altzdir, o.sp, pixel);
  const auto coadd = coadd_path(o.redux, o.sp, pixel);
  const auto target = baltable_path(o.altzdir, o.sp, pixel);
  if (!std::filesystem::exists(coadd))
    throw IoError("missing coadd file", coadd.string());
  Fingerprint fp;
  fp.add_file(zafter).add_file(coadd).add_file(o.templates).add("pixel", std::to_string(pixel));
  // Only the non-default mode enters the fingerprint, so baltables made before
  // --masked-pixels existed stay up to date.
  if (o.masked_pixels != MaskedPixels::kSkip)
    fp.add("masked-pixels", to_string(o.masked_pixels));
  if (!o.clobber && is_up_to_date(target, fp)) {
    out.skipped = true;
    return out;
  }
  const double t0 = perf::now();
  // QSOs in the redshift range (spec: 1.57 <= Z <= 5.0, SPECTYPE == 'QSO').
  std::vector<std::string> spectype;
  const auto all = read_zafter(zafter, &spectype);
  std::vector<QsoRecord> qso;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (spectype[i] == "QSO" && all[i].z >= bal::kZMin && all[i].z <= bal::kZMax) {
      qso.push_back(all[i]);
    }
  }
  std::vector<QsoRecord> present;
  std::vector<std::int64_t> rows;
  std::vector<Spectrum> spectra;
  {
    perf::Region r("read");
    CoaddReader reader(coadd);
    for (const auto& q : qso) {
      const std::int64_t row = reader.row_of(q.targetid);
      if (row < 0) {
        failures.record(fmt::format("QSO {} (pixel {})", q.targetid, pixel),
                        fmt::format("{}: HDU 'FIBERMAP' column 'TARGETID': TARGETID {} not found",
                                    coadd.string(), q.targetid));
        ++out.qso_failures;
        continue;
      }
      present.push_back(q);
      rows.push_back(row);
    }
    std::int64_t bytes = 0;
    spectra = reader.read_merged(rows, bytes);
    perf::add_bytes_read(bytes);
  }
  const double t1 = perf::now();
  std::vector<BalResult> results(present.size());
  std::vector<char> ok(present.size(), 0);
  {
    perf::Region r("fit");
    const auto n = static_cast<std::int64_t>(present.size());
    double cpu = 0.0;
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : cpu)
    for (std::int64_t i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(i);
      const double c0 = thread_cpu_seconds();
      try {
        results[k] = find_bal(spectra[k], present[k].z, templates, o.masked_pixels);
        ok[k] = 1;
      } catch (const std::exception& e) {
        failures.record(fmt::format("QSO {} (pixel {})", present[k].targetid, pixel),
                        fmt::format("{}: {}", coadd.string(), e.what()));
      }
      cpu += thread_cpu_seconds() - c0;
    }
    out.fit_cpu_seconds = cpu;
    perf::add_items(n);
  }
  const double t2 = perf::now();
  std::vector<QsoRecord> done_qso;
  std::vector<BalResult> done;
  for (std::size_t i = 0; i < present.size(); ++i) {
    if (!ok[i]) {
      ++out.qso_failures;
      continue;
    }
    done_qso.push_back(present[i]);
    done.push_back(std::move(results[i]));
  }
  {
    perf::Region r("write");
    AtomicFile file(target, true);
    write_baltable(file.temp_path(), done_qso, done, templates.ncomp(), templates.source);
    file.commit();
    // A pixel with failed QSOs is redone on the next run (no fingerprint).
    if (out.qso_failures == 0)
      record_fingerprint(target, fp);
  }
  out.qsos = static_cast<std::int64_t>(done.size());
  out.read_seconds = t1 - t0;
  out.fit_seconds = t2 - t1;
  return out;
}

}  // namespace

BalfindSummary run_balfind(const Comm& comm, const BalfindOptions& o, FailureLog& failures) {
  BalfindSummary s;
  PcaTemplates templates;
  run_phase(comm, "balfind: read templates", [&] {
    perf::Region r("templates");
    templates = read_pca_templates(o.templates);
  });
  std::vector<WorkItem> plan;
  // Collective, so a file-system error on rank 0 fails every rank at once
  // instead of leaving the others waiting in share_plan.
  run_phase(comm, "balfind: plan pixels", [&] {
    if (!comm.is_root())
      return;
    perf::Region r("plan");
    // A mistyped root would otherwise plan nothing and "succeed".
    for (const auto& [option, root] :
         {std::pair{"--altzdir", o.altzdir}, std::pair{"--redux", o.redux}}) {
      std::error_code ec;
      if (!std::filesystem::is_directory(root, ec))
        throw UsageError("not a directory", root.string(), option);
    }
    // With --only-with-coadd the pixels come from the (usually much smaller)
    // set of coadds and must also have a zafter file; otherwise every zafter
    // pixel is planned and a missing coadd is that pixel's failure.
    std::vector<std::int64_t> pixels;
    if (o.only_with_coadd) {
      for (auto p : discover_pixels(o.redux, o.sp, "coadd")) {
        std::error_code ec;
        if (std::filesystem::exists(zafter_path(o.altzdir, o.sp, p), ec))
          pixels.push_back(p);
      }
    } else {
      pixels = discover_pixels(o.altzdir, o.sp, "zafter");
    }
    if (pixels.empty() && discover_pixels(o.altzdir, o.sp, "zafter").empty()) {
      throw UsageError("no zafter files under " +
                       (o.altzdir / "healpix" / o.sp.survey / o.sp.program).string() +
                       " (run healpix split first)");
    }
    if (!o.pixels.empty()) {
      std::vector<std::int64_t> keep;
      for (auto p : pixels) {
        if (std::find(o.pixels.begin(), o.pixels.end(), p) != o.pixels.end())
          keep.push_back(p);
      }
      pixels.swap(keep);
    }
    for (auto p : pixels) {
      std::error_code ec;
      // Cost: the zafter size follows its QSO count.
      const auto size = std::filesystem::file_size(zafter_path(o.altzdir, o.sp, p), ec);
      plan.push_back({p, ec ? 1.0 : static_cast<double>(size)});
    }
    log::info("balfind: {} pixels, {} components from {}, masked pixels: {}", plan.size(),
              templates.ncomp(), o.templates.string(), to_string(o.masked_pixels));
  });
  Coordinator coordinator(comm);
  plan = coordinator.share_plan(std::move(plan));
  s.pixels = static_cast<std::int64_t>(plan.size());
  if (o.dry_run)
    return s;

  PixelOutcome total;
  std::int64_t pixel_failures = 0;
  {
    Progress progress("balfind", s.pixels, progress_enabled());
    coordinator.run_dynamic(
        plan,
        [&](const WorkItem& item) {
          try {
            const PixelOutcome p = run_pixel(item.id, o, templates, failures);
            total.qsos += p.qsos;
            total.qso_failures += p.qso_failures;
            total.skipped = total.skipped || p.skipped;
            if (p.skipped)
              ++s.pixels_skipped;
            total.read_seconds += p.read_seconds;
            total.fit_seconds += p.fit_seconds;
            total.fit_cpu_seconds += p.fit_cpu_seconds;
          } catch (const Error& e) {
            failures.record(fmt::format("pixel {}", item.id), e.what());
            ++pixel_failures;
          }
        },
        [&](std::int64_t index) { progress.update(index + 1); });
    progress.finish();
  }
  s.qsos = comm.allreduce_sum(total.qsos);
  s.qso_failures = comm.allreduce_sum(total.qso_failures);
  s.pixel_failures = comm.allreduce_sum(pixel_failures);
  s.pixels_skipped = comm.allreduce_sum(s.pixels_skipped);
  s.fit_seconds = comm.allreduce_sum(total.fit_seconds);
  s.read_seconds = comm.allreduce_sum(total.read_seconds);
  s.fit_cpu_seconds = comm.allreduce_sum(total.fit_cpu_seconds);
  if (comm.is_root()) {
    const int threads = omp_get_max_threads();
    log::info(
        "balfind: {} QSOs in {} pixels ({} up to date); {} QSO and {} pixel failures; "
        "read {:.3f} s, fit+search {:.3f} s wall x {} thread(s) = {:.3f} ms per QSO per core "
        "({:.3f} ms CPU per QSO)",
        s.qsos, s.pixels, s.pixels_skipped, s.qso_failures, s.pixel_failures, s.read_seconds,
        s.fit_seconds, threads,
        s.qsos ? 1e3 * s.fit_seconds * threads / static_cast<double>(s.qsos) : 0.0,
        s.qsos ? 1e3 * s.fit_cpu_seconds / static_cast<double>(s.qsos) : 0.0);
  }
  return s;
}

}  // namespace tessera::healpix
