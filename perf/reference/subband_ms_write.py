#!/usr/bin/python3
"""Reference for the Measurement Set output of `subband convert`: the same
arrays written with python-casacore from the UVH5 output (h5py read + one
putcol per MAIN column, DATA/FLAG in blocks of rows, the same subtable rows).

    subband_ms_write.py GROUP.uvh5|DIR OUT.ms

DIR: a directory holding exactly one .uvh5 file (the output directory of
the perf case subband-convert-dsa110, run before it in the same session).
"""
import glob
import os
import shutil
import sys

import h5py
import numpy as np
from casacore.tables import default_ms, maketabdesc, makearrcoldesc, table

src, dst = sys.argv[1], sys.argv[2]
if os.path.isdir(src):
    found = sorted(glob.glob(os.path.join(src, "*.uvh5")))
    if len(found) != 1:
        sys.exit(f"{src}: expected one .uvh5 file, found {len(found)}")
    src = found[0]
shutil.rmtree(dst, ignore_errors=True)
f = h5py.File(src, "r")
H = f["Header"]
nblts, nchan, npol = int(H["Nblts"][()]), int(H["Nfreqs"][()]), int(H["Npols"][()])
desc = maketabdesc([makearrcoldesc("DATA", 0j, shape=[nchan, npol], valuetype="complex")])
ms = default_ms(dst, desc)
ms.addrows(nblts)
nums = list(H["antenna_numbers"][()])
index = {a: i for i, a in enumerate(nums)}
ms.putcol("ANTENNA1", np.array([index[a] for a in H["ant_1_array"][()]], dtype=np.int32))
ms.putcol("ANTENNA2", np.array([index[a] for a in H["ant_2_array"][()]], dtype=np.int32))
tm = (H["time_array"][()] - 2400000.5) * 86400.0
for c in ("TIME", "TIME_CENTROID"):
    ms.putcol(c, tm)
for c in ("INTERVAL", "EXPOSURE"):
    ms.putcol(c, H["integration_time"][()])
ms.putcol("UVW", H["uvw_array"][()])
ms.putcol("WEIGHT", np.ones((nblts, npol), np.float32))
ms.putcol("SIGMA", np.ones((nblts, npol), np.float32))
block = max(1, (64 << 20) // (8 * nchan * npol))
vis, flg = f["Data/visdata"], f["Data/flags"]
for r0 in range(0, nblts, block):
    n = min(block, nblts - r0)
    ms.putcol("DATA", vis[r0:r0 + n], startrow=r0, nrow=n)
    ms.putcol("FLAG", flg[r0:r0 + n], startrow=r0, nrow=n)
ms.close()
spw = table(dst + "/SPECTRAL_WINDOW", readonly=False, ack=False)
spw.addrows(1)
spw.putcell("CHAN_FREQ", 0, H["freq_array"][()])
spw.putcell("CHAN_WIDTH", 0, H["channel_width"][()])
spw.putcell("NUM_CHAN", 0, nchan)
spw.close()
pol = table(dst + "/POLARIZATION", readonly=False, ack=False)
pol.addrows(1)
pol.putcell("NUM_CORR", 0, npol)
pol.close()
fld = table(dst + "/FIELD", readonly=False, ack=False)
fld.addrows(1)
d = np.array([[H["phase_center_catalog/0/cat_lon"][()], H["phase_center_catalog/0/cat_lat"][()]]])
for c in ("PHASE_DIR", "DELAY_DIR", "REFERENCE_DIR"):
    fld.putcell(c, 0, d)
fld.close()
ant = table(dst + "/ANTENNA", readonly=False, ack=False)
ant.addrows(len(nums))
ant.putcol("POSITION", H["antenna_positions"][()])
ant.close()
