// Injected faults (include/tessera/core/fault.hpp).
#include "tessera/core/fault.hpp"

#include <fmt/format.h>
#include <mpi.h>

#include <cstdlib>
#include <string>

#include "tessera/core/error.hpp"

namespace tessera {

void fault_point(std::string_view site) {
  static const char* const spec = std::getenv("TESSERA_FAULT");
  if (spec == nullptr || *spec == '\0')
    return;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const std::string want = fmt::format("{}@{}", site, rank);
  const std::string_view all(spec);
  std::size_t start = 0;
  while (start <= all.size()) {
    const std::size_t end = std::min(all.find(',', start), all.size());
    if (all.substr(start, end - start) == want)
      throw IoError(fmt::format("injected fault at {} (TESSERA_FAULT)", site));
    start = end + 1;
  }
}

}  // namespace tessera
