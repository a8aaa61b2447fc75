// Injected faults for the reliability tests.
//
// A failure on one rank between collective calls is the case that hangs
// distributed codes, and real ones (a full disk on one node, a bad block)
// cannot be made to order in a test. `fault_point` marks such places: with
// TESSERA_FAULT="site@rank[,site@rank...]" in the environment, the named rank
// (of MPI_COMM_WORLD) throws an IoError there. Unset (every real run), it
// costs one comparison.
#pragma once

#include <string_view>

namespace tessera {

/// Throws IoError("injected fault at SITE") on the world rank RANK when
/// TESSERA_FAULT names "SITE@RANK"; otherwise does nothing.
void fault_point(std::string_view site);

}  // namespace tessera
