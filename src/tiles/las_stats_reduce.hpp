// Merging LAS header statistics over ranks (tiles-internal).
//
// Counts per return and the raw min/max of x, y, z are integers, so their
// sum/min/max over ranks is exact: a header built from the merged statistics
// does not depend on how points were spread over ranks, tiles or rounds.
#pragma once

#include <cstdint>

#include "tessera/core/mpi.hpp"
#include "tessera/io/las_writer.hpp"

namespace tessera::tiles::detail {

/// The statistics of all ranks' records (collective).
io::LasRecordStats reduce_las_stats(const Comm& comm, const io::LasRecordStats& local);

}  // namespace tessera::tiles::detail
