#!/usr/bin/python3
"""A plain sequential write of N bytes (the write-throughput yardstick for
`raster grid`): one process, 64 MiB buffers, into the page cache as
`raster grid` writes (no fsync on either side).

    raster_plain_write.py OUT_FILE NBYTES
"""
import os
import sys


def main(path, nbytes):
    nbytes = int(nbytes)
    buf = b"\x01" * (64 << 20)
    with open(path, "wb") as f:
        left = nbytes
        while left > 0:
            n = min(left, len(buf))
            f.write(buf[:n])
            left -= n
        f.flush()
    os.remove(path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
