// Freed buffers stay with the process, so later buffers reuse their pages.
//
// glibc serves each allocation above its mmap threshold (at most 32 MiB)
// with a mapping of its own and unmaps it when freed, so the next large
// buffer starts on fresh pages that the kernel zeroes on first touch. The
// tiles steps allocate and free buffers of hundreds of MB one after the
// other (read blocks, exchange buffers, per-tile grids and outputs, DoD
// accumulators), and on the development VM that zeroing (clear_page) plus
// the page faults were the largest kernel cost of the steps (28 % of a DoD
// run's samples, ~13 % of C2C's). With large buffers taken from the heap
// and the heap not trimmed on free, a later buffer lands on pages already
// faulted in; the peak resident size stays that of the largest set of
// buffers alive at once (medium C2C: 1.15 GB either way). Measured with
// glibc's tunables before this was written: C2C 1 rank in-process
// 3.08/3.57/3.26 s → 2.91/2.23/2.59 s, interleaved on a busy VM.
//
// Used by c2c and dod, not m3c2: m3c2's two epochs both get halo copies, so
// each exchange result is larger than the read block freed before it; kept
// on the heap, those holes were not reused and its peak resident size grew
// from 1.15 to 1.50 GB, with no gain in time (4 runs each way). c2c (1.15
// GB either way) and dod (1.04 → 1.05 GB; 1.2–2.2 s → 0.93–1.06 s
// in-process) gain.
//
// Process-wide and glibc-only (elsewhere it does nothing); a step calls it
// once at its start: the process then runs that one step.
#pragma once

namespace tessera::tiles::detail {

void keep_freed_memory() noexcept;

}  // namespace tessera::tiles::detail
