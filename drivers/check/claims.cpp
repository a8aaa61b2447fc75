// tessera check claims: measures the coordinator's cost per dynamic claim
// (MPI_Fetch_and_op on the rank-0 counter) with empty work items.
#include "command.hpp"
#include "tessera/core/coordinator.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/perf.hpp"

namespace tessera::driver {
namespace {

void run(StepContext& ctx) {
  const auto n = ctx.vm["claims"].as<std::int64_t>();
  const Comm& comm = ctx.comm;
  std::vector<WorkItem> plan;
  if (comm.is_root())
    plan.assign(static_cast<std::size_t>(n), WorkItem{0, 1.0});
  Coordinator coordinator(comm);
  plan = coordinator.share_plan(std::move(plan));
  std::int64_t done = 0;
  ClaimStats stats;
  {
    perf::Region r("claims");
    stats = coordinator.run_dynamic(plan, [&](const WorkItem&) { ++done; });
    perf::add_items(done);
  }
  const double per_claim = stats.claim_seconds / double(std::max<std::int64_t>(1, stats.claims));
  const double avg = comm.allreduce_sum(per_claim) / comm.size();
  const double worst = comm.allreduce_max(per_claim);
  const std::int64_t total = comm.allreduce_sum(done);
  if (comm.is_root()) {
    log::info(
        "check claims: {} items claimed over {} ranks; per claim avg {:.3f} us, max {:.3f} us",
        total, comm.size(), avg * 1e6, worst * 1e6);
  }
  if (total != n)
    throw ParallelError(fmt::format("claimed {} items, expected {}", total, n));
}

const CommandRegistrar kClaims{Command{
    "check",
    "claims",
    "measure the coordinator's cost per dynamic claim",
    [](po::options_description& d, po::positional_options_description&) {
      d.add_options()("claims", po::value<std::int64_t>()->default_value(100000), "items to claim");
    },
    run,
    {}}};

}  // namespace
}  // namespace tessera::driver
