"""Pixel ids equal healpy's (python3-healpy) on >= 1M random positions,
including the poles, ra = 0 and ra = 360, for NSIDE 64 nested and ring and
NSIDE 16 nested (mocks)."""
import os

import fitsio
import healpy as hp
import numpy as np

from tessera_test import TestRun, scratch, tessera

t = TestRun("healpix pixel ids equal healpy's")
work = scratch("healpix_pixels_healpy")
rng = np.random.default_rng(2024)
n = 1_000_000
ra = rng.uniform(0.0, 360.0, n)
dec = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))
special_dec = np.array([90.0, -90.0, 89.9999999, -89.9999999, 0.0, 41.8103149, -41.8103149])
special_ra = np.array([0.0, 360.0, 359.999999999, 1e-12, 180.0, 90.0])
sra, sdec = np.meshgrid(special_ra, special_dec)
ra = np.concatenate([ra, sra.ravel(), rng.choice([0.0, 360.0], 1000)])
dec = np.concatenate([dec, sdec.ravel(), rng.uniform(-90, 90, 1000)])
cat = os.path.join(work, "positions.fits")
fitsio.write(cat, {"TARGET_RA": ra, "TARGET_DEC": dec}, clobber=True)

for nside, scheme in [(64, "nest"), (64, "ring"), (16, "nest")]:
    out = os.path.join(work, f"pix-{nside}-{scheme}.fits")
    r = tessera(["healpix", "pixels", "--catalog", cat, "--out", out, "--nside", nside,
                 "--scheme", scheme, "--no-progress"])
    if not t.check(r.returncode == 0, f"tessera healpix pixels NSIDE {nside} {scheme} exits 0", r):
        continue
    ours = fitsio.read(out, columns=["PIXEL"])["PIXEL"]
    ref = hp.ang2pix(nside, ra, dec, lonlat=True, nest=(scheme == "nest"))
    bad = np.flatnonzero(ours != ref)
    t.check(len(ours) == len(ra) and len(bad) == 0,
            f"NSIDE {nside} {scheme}: {len(ra)} positions equal healpy",
            f"{len(bad)} differ, first: ra={ra[bad[:3]]}, dec={dec[bad[:3]]}, "
            f"ours={ours[bad[:3]]}, healpy={ref[bad[:3]]}")
t.done()
