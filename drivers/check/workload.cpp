// tessera check workload: a built-in job that exercises the coordinator
// (dynamic claiming of unevenly costed items), OpenMP inside items, a
// collective parallel-HDF5 write through an atomic shared file, and the perf
// report. It is the smoke test for a new installation or allocation, and the
// demo's first stage.
#include <omp.h>

#include <cmath>
#include <filesystem>

#include "command.hpp"
#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/coordinator.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/core/progress.hpp"
#include "tessera/io/hdf5.hpp"

namespace fs = std::filesystem;

namespace tessera::driver {
namespace {

// Deterministic uneven cost: a few items are 20x heavier than most.
int item_cost(std::int64_t id) {
  return (id % 17 == 0) ? 200 : 10 + static_cast<int>(id % 7);
}

// The item's value: a small numeric kernel whose result does not depend on
// the thread count (each term is independent; the reduction is over exact
// integers scaled back), so outputs match at any rank/thread count.
double item_value(std::int64_t id) {
  const int n = item_cost(id) * 200;
  long long acc = 0;
#pragma omp parallel for reduction(+ : acc) schedule(static)
  for (int k = 0; k < n; ++k) {
    acc +=
        static_cast<long long>(std::llround(1e6 * std::sin(0.001 * static_cast<double>(k + id))));
  }
  return static_cast<double>(acc) * 1e-6;
}

void run(StepContext& ctx) {
  const auto items = ctx.vm["items"].as<std::int64_t>();
  const fs::path out = ctx.vm["out"].as<std::string>();
  if (items <= 0)
    throw UsageError("--items must be positive");
  const fs::path target = out / "workload.h5";
  const Comm& comm = ctx.comm;

  std::vector<WorkItem> plan;
  {
    perf::Region r("plan");
    if (comm.is_root()) {
      for (std::int64_t i = 0; i < items; ++i)
        plan.push_back({i, double(item_cost(i))});
    }
  }
  Coordinator coordinator(comm);
  plan = coordinator.share_plan(std::move(plan));
  if (ctx.common.dry_run) {
    if (comm.is_root())
      log::info("dry run: {} items, would write {}", plan.size(), target.string());
    return;
  }

  std::vector<double> values(static_cast<std::size_t>(items), 0.0);
  ClaimStats stats;
  {
    perf::Region r("compute");
    Progress progress("check workload", items, true, 5.0);
    stats = coordinator.run_dynamic(
        plan,
        [&](const WorkItem& item) {
          values[static_cast<std::size_t>(item.id)] = item_value(item.id);
          perf::add_items(1);
        },
        [&](std::int64_t index) { progress.update(index + 1); });
  }
  {
    // Each value was set by exactly one rank; the sum assembles the vector.
    perf::Region r("assemble");
    comm.allreduce(values, ReduceOp::sum);
  }
  {
    perf::Region r("write");
    CollectiveAtomicFile file(comm, target, true);
    bool ok = true;
    bool collective = false;
    try {
      io::File h5(file.temp_path(), io::File::Mode::kCreate, comm);
      auto ds = h5.create_dataset("values", H5T_IEEE_F64LE, {static_cast<std::uint64_t>(items)});
      const auto mine = block_range(items, comm.size(), comm.rank());
      io::Slab slab{{static_cast<std::uint64_t>(mine.begin)},
                    {static_cast<std::uint64_t>(mine.size())}};
      h5.write_slab(ds.id(), H5T_NATIVE_DOUBLE, slab, values.data() + mine.begin, "values");
      collective = h5.last_io_was_collective();
      ds = io::Handle();
      h5.close();
    } catch (const std::exception& e) {
      log::error("{}", e.what());
      ok = false;
    }
    file.commit(ok);
    const bool all_collective = !comm.allreduce_or(!collective);
    if (comm.is_root()) {
      log::info("check workload: {} items, {} claims on rank 0 ({:.2f} us/claim), write {}", items,
                stats.claims,
                1e6 * stats.claim_seconds / double(std::max<std::int64_t>(1, stats.claims)),
                all_collective ? "collective" : "NOT collective");
    }
    if (!all_collective)
      throw ParallelError("the HDF5 write did not run collectively", target.string());
  }
  double checksum = 0;
  for (double v : values)
    checksum += v;
  if (comm.is_root())
    log::info("check workload: checksum {:.6f} -> {}", checksum, target.string());
}

const CommandRegistrar kWorkload{Command{
    "check",
    "workload",
    "built-in job: coordinator, OpenMP, collective parallel-HDF5 write, perf report",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("items", po::value<std::int64_t>()->default_value(2000), "work items")(
          "out", po::value<std::string>()->default_value("tessera-check"), "output directory");
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
