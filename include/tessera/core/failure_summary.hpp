// One message for a phase that failed on many ranks.
//
// At 256 ranks a bad input path fails the same way on every rank; listing
// each rank's message would repeat one line hundreds of times. Ranks with
// the same message are grouped and their ranks written as ranges.
#pragma once

#include <string>
#include <vector>

namespace tessera {

/// "0-3, 7, 9-15" for ranks {0,1,2,3,7,9,...,15} (sorted, unique input).
std::string format_ranks(const std::vector<int>& ranks);

/// "PHASE failed on F of P ranks: MSG (ranks R); MSG2 (rank S)" from every
/// rank's message (empty: that rank succeeded), distinct messages in the order
/// of their first rank, at most `max_reasons` of them, then a count of the rest.
std::string summarize_failures(const std::string& phase, const std::vector<std::string>& messages,
                               std::size_t max_reasons = 8);

}  // namespace tessera
