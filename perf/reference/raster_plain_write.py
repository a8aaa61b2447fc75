#!/usr/bin/python3
"""A plain sequential write of N bytes (the write-throughput yardstick for
`raster grid`): one process, 64 MiB buffers, into the page cache as
`raster grid` writes (no fsync on either side).

    raster_plain_write.py OUT_FILE NBYTES

Written under a temporary name and renamed to OUT_FILE, which is kept, as
`raster grid` keeps its outputs: repeated runs then leave the same amount of
dirty page cache behind them on both sides. (Deleting the file at the end
would let the kernel drop its dirty pages unwritten, and the yardstick would
never pay for write-back.) The benchmark case removes the previous OUT_FILE
before each run (untimed, `fresh`), as it removes grid's previous outputs.
"""
import os
import sys


def main(path, nbytes):
    nbytes = int(nbytes)
    buf = b"\x01" * (64 << 20)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        left = nbytes
        while left > 0:
            n = min(left, len(buf))
            f.write(buf[:n])
            left -= n
        f.flush()
    os.replace(tmp, path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
