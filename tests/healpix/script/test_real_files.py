"""healpix on real DESI files (tests/data/desi): the pixel of every row of a
real desitarget targets table equals healpy's, at 1 and 2 ranks and in both
schemes; a redrock file (Z in REDSHIFTS, positions in FIBERMAP) is refused by
split with exit 3 naming the file, the HDU and the missing column, and leaves
no zafter file (reading redrock files is issue 20)."""
import glob
import os

import fitsio
import healpy as hp
import numpy as np

from tessera_test import TEST_DATA, TestRun, mpirun_tessera, scratch

t = TestRun("healpix real DESI files")
work = scratch("healpix_real_files")
targets = os.path.join(TEST_DATA, "desi", "targets.fits")
cat = fitsio.read(targets, columns=["RA", "DEC"])
for nside, scheme in [(64, "nest"), (8, "ring"), (1024, "nest")]:
    ref = hp.ang2pix(nside, cat["RA"], cat["DEC"], lonlat=True, nest=(scheme == "nest"))
    for n in (1, 2):
        out = os.path.join(work, f"pix-{nside}-{scheme}-{n}.fits")
        r = mpirun_tessera(n, ["healpix", "pixels", "--catalog", targets, "--out", out, "--nside", nside,
                               "--scheme", scheme, "--ra-column", "RA", "--dec-column", "DEC",
                               "--no-progress"])
        if not t.check(r.returncode == 0, f"pixels on targets.fits NSIDE {nside} {scheme} at {n} ranks",
                       r.stderr[-2000:]):
            continue
        ours = fitsio.read(out, columns=["PIXEL"])["PIXEL"]
        t.check(len(ours) == len(cat) and np.array_equal(ours, ref),
                f"NSIDE {nside} {scheme} at {n} ranks: all {len(cat)} real targets equal healpy",
                f"{np.count_nonzero(ours != ref)} differ")

redrock = os.path.join(TEST_DATA, "desi", "redrock-special-dark-27247.fits")
alt = os.path.join(work, "alt")
r = mpirun_tessera(2, ["healpix", "split", "--catalog", redrock, "--out", alt, "--no-progress"])
t.check(r.returncode == 3 and redrock in r.stderr and "REDSHIFTS" in r.stderr and "TARGET_RA" in r.stderr,
        "split refuses a redrock file with exit 3 naming it, the HDU and the missing column",
        (r.returncode, r.stderr[-800:]))
t.check(not glob.glob(os.path.join(alt, "**", "*.fits"), recursive=True), "no zafter file is left")
t.done()
