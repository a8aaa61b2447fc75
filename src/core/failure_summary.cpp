// Grouped failure messages (include/tessera/core/failure_summary.hpp).
#include "tessera/core/failure_summary.hpp"

#include <fmt/format.h>

#include <map>

namespace tessera {

std::string format_ranks(const std::vector<int>& ranks) {
  std::string out;
  for (std::size_t i = 0; i < ranks.size();) {
    std::size_t j = i;
    while (j + 1 < ranks.size() && ranks[j + 1] == ranks[j] + 1)
      ++j;
    if (!out.empty())
      out += ", ";
    out += j == i ? fmt::format("{}", ranks[i]) : fmt::format("{}-{}", ranks[i], ranks[j]);
    i = j + 1;
  }
  return out;
}

std::string summarize_failures(const std::string& phase, const std::vector<std::string>& messages,
                               std::size_t max_reasons) {
  // Distinct messages in the order of the first rank that gave each.
  std::vector<std::string> order;
  std::map<std::string, std::vector<int>> ranks_of;
  int failed = 0;
  for (int r = 0; r < static_cast<int>(messages.size()); ++r) {
    const auto& m = messages[static_cast<std::size_t>(r)];
    if (m.empty())
      continue;
    ++failed;
    auto& ranks = ranks_of[m];
    if (ranks.empty())
      order.push_back(m);
    ranks.push_back(r);
  }
  std::string text;
  std::size_t shown = 0;
  int rest_ranks = 0;
  for (const auto& m : order) {
    const auto& ranks = ranks_of[m];
    if (shown == max_reasons) {
      rest_ranks += static_cast<int>(ranks.size());
      continue;
    }
    ++shown;
    text += fmt::format("{}{} ({} {})", text.empty() ? "" : "; ", m,
                        ranks.size() == 1 ? "rank" : "ranks", format_ranks(ranks));
  }
  if (shown < order.size())
    text += fmt::format("; ... and {} more distinct reason(s) on {} rank(s)", order.size() - shown,
                        rest_ranks);
  return fmt::format("{} failed on {} of {} ranks: {}", phase, failed, messages.size(), text);
}

}  // namespace tessera
