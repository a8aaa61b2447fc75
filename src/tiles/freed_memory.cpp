// See freed_memory.hpp.
#include "freed_memory.hpp"

#include <climits>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tessera::tiles::detail {

void keep_freed_memory() noexcept {
#if defined(__GLIBC__)
  // No allocation gets a mapping of its own; the heap (brk) serves all.
  (void)mallopt(M_MMAP_MAX, 0);
  // Return the heap's free top to the system only beyond 2 GiB.
  (void)mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

}  // namespace tessera::tiles::detail
