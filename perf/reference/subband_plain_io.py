#!/usr/bin/env python3
"""Lower bound for subband convert: read every input file sequentially and
write the same number of bytes to one output file, with plain buffered I/O
(no HDF5, no computation). `subband_plain_io.py INDIR OUTFILE`."""
import glob
import os
import sys

indir, outfile = sys.argv[1], sys.argv[2]
block = 16 << 20
with open(outfile, "wb") as out:
    for p in sorted(glob.glob(os.path.join(indir, "*_sb??.hdf5"))):
        with open(p, "rb") as f:
            while True:
                buf = f.read(block)
                if not buf:
                    break
                out.write(buf)
