"""subband validate on real UVH5 files written by pyuvdata (tests/data/pyuvdata):
the dimensions and frequency range it reports are those h5py reads from the
same headers. (Converting them is issue 19: their flags are LZF-compressed.)"""
import os
import re

import h5py

from tessera_test import TEST_DATA, TestRun, tessera

t = TestRun("subband real files")
for name in ("zen.2458661.23480.HH.uvh5", "ata.LoA.C0352.3c286.uvh5"):
    path = os.path.join(TEST_DATA, "pyuvdata", name)
    r = tessera(["subband", "validate", path, "--no-progress"])
    if not t.check(r.returncode == 0 and r.stdout.startswith("OK"), f"validate accepts {name}",
                   (r.returncode, r.stdout[-500:], r.stderr[-1500:])):
        continue
    with h5py.File(path, "r") as f:
        h = f["Header"]
        want = {k: int(h[k][()]) for k in ("Nblts", "Nbls", "Ntimes", "Nfreqs", "Npols")}
        freqs = h["freq_array"][()].ravel() / 1e6
    got = {k: int(v) for k, v in re.findall(r"(N\w+) (\d+)", r.stdout)}
    t.check(all(got.get(k) == v for k, v in want.items()), f"{name}: dimensions are h5py's", (got, want))
    m = re.search(r"([\d.]+)-([\d.]+) MHz", r.stdout)
    t.check(m is not None and abs(float(m.group(1)) - freqs.min()) < 1e-6 and
            abs(float(m.group(2)) - freqs.max()) < 1e-6, f"{name}: frequency range is h5py's",
            (m.groups() if m else None, freqs.min(), freqs.max()))
t.done()
