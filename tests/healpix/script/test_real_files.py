"""healpix on real DESI files (tests/data/desi): the pixel of every row of a
real desitarget targets table equals healpy's, at 1 and 2 ranks and in both
schemes; the real redrock file (Z in REDSHIFTS, positions in FIBERMAP) goes
through split at 1, 2 and 4 ranks (rows, pixel, Z, SPECTYPE equal astropy's
join and healpy; identical files) and balfind with its real coadd (rows = its
QSOs in the redshift range by astropy; identical at 1 and 2 ranks)."""
import filecmp
import glob
import os
import shutil

import fitsio
import healpy as hp
import numpy as np
from astropy.io import fits

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

# ---- the real redrock file through split and balfind ---------------------------
# Truth from astropy: REDSHIFTS rows in order, joined to FIBERMAP on TARGETID
# (first FIBERMAP row of a TARGETID), pixels from healpy and the file's own
# HPXPIXEL key.
redrock = os.path.join(TEST_DATA, "desi", "redrock-special-dark-27247.fits")
coadd = os.path.join(TEST_DATA, "desi", "coadd-special-dark-27247.fits")
with fits.open(redrock) as h:
    zs, fm = h["REDSHIFTS"].data, h["FIBERMAP"].data
    hpx, nside = h[0].header["HPXPIXEL"], h[0].header["HPXNSIDE"]
    t.check("EXP_FIBERMAP" in h and len(h["EXP_FIBERMAP"].data) > len(fm),
            f"the file has EXP_FIBERMAP ({len(h['EXP_FIBERMAP'].data)} exposure rows) beside FIBERMAP "
            f"({len(fm)} rows): only FIBERMAP is read")
first = {}
for i, tid in enumerate(fm["TARGETID"]):
    first.setdefault(int(tid), i)
fmrow = np.array([first[int(x)] for x in zs["TARGETID"]])
want = {"TARGETID": zs["TARGETID"], "TARGET_RA": fm["TARGET_RA"][fmrow],
        "TARGET_DEC": fm["TARGET_DEC"][fmrow], "Z": zs["Z"], "ZERR": zs["ZERR"],
        "ZWARN": zs["ZWARN"].astype(float), "SPECTYPE": np.char.strip(zs["SPECTYPE"].astype(str))}
pix = hp.ang2pix(nside, want["TARGET_RA"], want["TARGET_DEC"], lonlat=True, nest=True)
t.check(set(pix.tolist()) == {hpx}, f"healpy puts all {len(zs)} rows in the file's HPXPIXEL {hpx}")
alt = {}
for n in (1, 2, 4):
    alt[n] = os.path.join(work, f"alt{n}")
    r = mpirun_tessera(n, ["healpix", "split", "--catalog", redrock, "--out", alt[n], "--survey", "special",
                           "--program", "dark", "--no-progress"])
    t.check(r.returncode == 0 and "redrock" in r.stderr, f"split of the redrock file at {n} rank(s) exits 0", r)
zafters = sorted(glob.glob(os.path.join(alt[1], "**", "zafter-*.fits"), recursive=True))
t.check([os.path.relpath(f, alt[1]) for f in zafters] ==
        [f"healpix/special/dark/{hpx // 100}/{hpx}/zafter-special-dark-{hpx}.fits"],
        "one zafter file, in the DESI layout of that pixel", zafters)
if zafters:
    with fits.open(zafters[0]) as h:
        d = h["REDSHIFTS"].data
        ok = len(d) == len(zs) and all(np.array_equal(d[c], want[c]) for c in want if c != "SPECTYPE")
        ok = ok and [s.strip() for s in d["SPECTYPE"]] == list(want["SPECTYPE"])
        t.check(ok, f"zafter rows equal astropy's join: {len(d)} row(s), TARGETID {list(d['TARGETID'])}, "
                    f"Z {list(d['Z'])}, SPECTYPE {[s.strip() for s in d['SPECTYPE']]}")
    for n in (2, 4):
        other = os.path.join(alt[n], os.path.relpath(zafters[0], alt[1]))
        t.check(os.path.exists(other) and filecmp.cmp(zafters[0], other, shallow=False),
                f"zafter file identical at 1 and {n} ranks")
redux = os.path.join(work, "redux")
cdir = os.path.join(redux, "healpix", "special", "dark", str(hpx // 100), str(hpx))
os.makedirs(cdir)
shutil.copy(coadd, cdir)
nqso = int(np.count_nonzero((want["SPECTYPE"] == "QSO") & (want["Z"] >= 1.57) & (want["Z"] <= 5.0)))
for n in (1, 2):
    r = mpirun_tessera(n, ["healpix", "balfind", "--altzdir", alt[n], "--redux", redux, "--survey", "special",
                           "--program", "dark", "--no-progress"])
    t.check(r.returncode == 0, f"balfind on the real redrock + coadd at {n} rank(s) exits 0", r)
bals = [sorted(glob.glob(os.path.join(alt[n], "**", "baltable-*.fits"), recursive=True)) for n in (1, 2)]
if t.check(len(bals[0]) == 1 and len(bals[1]) == 1, "one baltable at 1 and 2 ranks", bals):
    rows = fits.getdata(bals[0][0], "BALCAT")
    t.check(len(rows) == nqso, f"baltable rows = QSOs with 1.57 <= Z <= 5 by astropy ({nqso}: the one target "
                               f"is a {want['SPECTYPE'][0]} at Z = {want['Z'][0]:.5f})")
    t.check(filecmp.cmp(bals[0][0], bals[1][0], shallow=False), "baltable identical at 1 and 2 ranks")
t.done()
