"""healpix split on redrock-layout files (REDSHIFTS + FIBERMAP joined on
TARGETID), built with astropy from the tiny synthetic catalog:

* REDSHIFTS in a shuffled order with some targets classed GALAXY, FIBERMAP in
  another order with some targets repeated (per exposure, equal positions) and
  an EXP_FIBERMAP decoy: the zafter rows equal astropy's join (positions,
  Z, ZERR, ZWARN, SPECTYPE, REDSHIFTS order within a pixel, healpy pixels) and
  are identical at 1, 2 and 4 ranks; balfind fits exactly the QSO rows in the
  redshift range, with the same BAL values as the zcatalog route.
* HDUs that disagree (a TARGETID missing from either side, duplicate
  TARGETIDs in REDSHIFTS, repeats with different positions, a missing
  SPECTYPE column): exit 3, the message names the file, both HDUs and the
  TARGETID, and nothing is written."""
import filecmp
import glob
import os

import healpy as hp
import numpy as np
from astropy.io import fits

from tessera_test import TestRun, mpirun_tessera, scratch, tessera

t = TestRun("healpix split of redrock files")
work = scratch("healpix_redrock_input")
data = os.path.join(work, "data")
r = tessera(["synth", "healpix", "--out", data, "--scale", "tiny", "--seed", "9", "--no-progress",
             "--no-resolution"])
if not t.check(r.returncode == 0, "synth healpix tiny exits 0", r):
    t.done()
cat_path = os.path.join(data, "QSO_cat.fits")
redux = os.path.join(data, "redux")
cat = fits.getdata(cat_path, "QSO_CAT")
n = len(cat)
rng = np.random.default_rng(20)


def outputs(root, kind="*"):
    return sorted(glob.glob(os.path.join(root, "**", f"{kind}-*.fits"), recursive=True))


def write_redrock(path, zrows, spectype, fmrows, redshift_cols=("TARGETID", "Z", "ZERR", "ZWARN")):
    """REDSHIFTS from catalog rows `zrows`, FIBERMAP from catalog rows `fmrows`."""
    cols = []
    for c in redshift_cols:
        if c == "ZWARN":  # redrock writes ZWARN as K
            cols.append(fits.Column("ZWARN", "K", array=cat["ZWARN"][zrows].astype(np.int64)))
        else:
            cols.append(fits.Column(c, "K" if c == "TARGETID" else "D", array=cat[c][zrows]))
    if spectype is not None:
        cols.append(fits.Column("SPECTYPE", "6A", array=np.array(spectype)))
    fm = fits.BinTableHDU.from_columns(
        [fits.Column("TARGETID", "K", array=cat["TARGETID"][fmrows]),
         fits.Column("COADD_FIBERSTATUS", "J", array=np.zeros(len(fmrows), np.int32)),
         fits.Column("TARGET_RA", "D", array=cat["TARGET_RA"][fmrows]),
         fits.Column("TARGET_DEC", "D", array=cat["TARGET_DEC"][fmrows])], name="FIBERMAP")
    # Per-exposure rows with other (fibre) positions: must not be read.
    exp = fits.BinTableHDU.from_columns(
        [fits.Column("TARGETID", "K", array=np.repeat(cat["TARGETID"][zrows], 2)),
         fits.Column("FIBER_RA", "D", array=np.zeros(2 * len(zrows))),
         fits.Column("FIBER_DEC", "D", array=np.zeros(2 * len(zrows)))], name="EXP_FIBERMAP")
    fits.HDUList([fits.PrimaryHDU(), fits.BinTableHDU.from_columns(cols, name="REDSHIFTS"), fm, exp]) \
        .writeto(path, overwrite=True)


# ---- a good redrock file -------------------------------------------------------
zorder = rng.permutation(n)
spectype = np.where(rng.random(n) < 0.2, "GALAXY", "QSO")
repeats = rng.choice(n, size=n // 10, replace=False)
fmorder = rng.permutation(np.concatenate([np.arange(n), repeats, repeats[: n // 20]]))
good = os.path.join(work, "redrock-main-dark-good.fits")
write_redrock(good, zorder, spectype, fmorder)
t.check(len(fmorder) > n, f"FIBERMAP has {len(fmorder)} rows for {n} targets (repeats), REDSHIFTS {n}")

# Expected zafter rows, by pixel, in REDSHIFTS order (astropy + healpy).
rr = fits.getdata(good, "REDSHIFTS")
fmt = fits.getdata(good, "FIBERMAP")
pos = {}
for tid, ra, dec in zip(fmt["TARGETID"], fmt["TARGET_RA"], fmt["TARGET_DEC"]):
    pos.setdefault(int(tid), (ra, dec))
ra = np.array([pos[int(x)][0] for x in rr["TARGETID"]])
dec = np.array([pos[int(x)][1] for x in rr["TARGETID"]])
pix = hp.ang2pix(64, ra, dec, lonlat=True, nest=True)
expect = {}
for i in range(n):
    expect.setdefault(int(pix[i]), []).append(i)

alt = {}
for nr in (1, 2, 4):
    alt[nr] = os.path.join(work, f"alt{nr}")
    r = mpirun_tessera(nr, ["healpix", "split", "--catalog", good, "--out", alt[nr], "--no-progress"])
    t.check(r.returncode == 0 and "redrock" in r.stderr and "repeated FIBERMAP rows" in r.stderr,
            f"split of a redrock file at {nr} rank(s) exits 0 and reports the layout and repeats", r)
zafters = outputs(alt[1], "zafter")
t.check(sorted(int(os.path.basename(os.path.dirname(f))) for f in zafters) == sorted(expect),
        f"{len(zafters)} zafter files: the healpy pixels of the joined positions")
rows_ok = True
for f in zafters:
    p = int(os.path.basename(os.path.dirname(f)))
    d = fits.getdata(f, "REDSHIFTS")
    idx = expect.get(p, [])
    rows_ok &= len(d) == len(idx) and np.array_equal(d["TARGETID"], rr["TARGETID"][idx]) and \
        np.array_equal(d["TARGET_RA"], ra[idx]) and np.array_equal(d["TARGET_DEC"], dec[idx]) and \
        np.array_equal(d["Z"], rr["Z"][idx]) and np.array_equal(d["ZERR"], rr["ZERR"][idx]) and \
        np.array_equal(d["ZWARN"], rr["ZWARN"][idx].astype(float)) and \
        [s.strip() for s in d["SPECTYPE"]] == [s.strip() for s in rr["SPECTYPE"][idx]]
t.check(rows_ok, "every zafter row equals astropy's TARGETID join, in REDSHIFTS order, SPECTYPE kept")
same = all(filecmp.cmp(a, os.path.join(alt[k], os.path.relpath(a, alt[1])), shallow=False)
           for k in (2, 4) for a in zafters) and all(len(outputs(alt[k], "zafter")) == len(zafters) for k in (2, 4))
t.check(same, "zafter files identical at 1, 2 and 4 ranks")

# balfind: only the QSO rows in range, with the zcatalog route's values.
ref = os.path.join(work, "alt-zcatalog")
r = mpirun_tessera(2, ["healpix", "split", "--catalog", cat_path, "--out", ref, "--no-progress"])
t.check(r.returncode == 0, "split of the zcatalog exits 0", r)
for root in (ref, alt[2]):
    r = mpirun_tessera(2, ["healpix", "balfind", "--altzdir", root, "--redux", redux, "--only-with-coadd",
                           "--no-progress"])
    t.check(r.returncode == 0, f"balfind on {os.path.basename(root)} exits 0", r)


def baltable_rows(root):
    rows = {}
    for f in outputs(root, "baltable"):
        d = fits.getdata(f, "BALCAT")
        for i in range(len(d)):
            rows[int(d["TARGETID"][i])] = d[i]
    return rows


mine, theirs = baltable_rows(alt[2]), baltable_rows(ref)
coadd_ids = set()
for f in outputs(redux, "coadd"):
    coadd_ids |= set(int(x) for x in fits.getdata(f, "FIBERMAP")["TARGETID"])
want_ids = {int(x) for x, s, z in zip(rr["TARGETID"], rr["SPECTYPE"], rr["Z"])
            if s.strip() == "QSO" and 1.57 <= z <= 5.0 and int(x) in coadd_ids}
t.check(set(mine) == want_ids and len(want_ids) > 5,
        f"balfind fits exactly the {len(want_ids)} SPECTYPE == 'QSO' rows in 1.57 <= Z <= 5 (GALAXY rows skipped)")
names = [c for c in fits.getdata(outputs(ref, "baltable")[0], "BALCAT").dtype.names]
t.check(all(all(np.array_equal(mine[k][c], theirs[k][c]) for c in names) for k in mine if k in theirs),
        "their baltable rows equal the zcatalog route's, column for column")


# ---- HDUs that disagree ----------------------------------------------------------
def bad_case(name, zrows, fmrows, tid, spectype_col=True, ranks=(2,), fm_positions=None):
    path = os.path.join(work, f"redrock-{name}.fits")
    st = np.full(len(zrows), "QSO") if spectype_col else None
    write_redrock(path, zrows, st, fmrows)
    if fm_positions is not None:
        with fits.open(path, mode="update") as h:
            fm_positions(h["FIBERMAP"].data)
    for nr in ranks:
        out = os.path.join(work, f"alt-{name}-{nr}")
        r = mpirun_tessera(nr, ["healpix", "split", "--catalog", path, "--out", out, "--no-progress"])
        t.check(r.returncode == 3, f"{name}: split exits 3 at {nr} rank(s)", r)
        named = path in r.stderr and "REDSHIFTS" in r.stderr and str(tid) in r.stderr
        if spectype_col:
            named = named and "FIBERMAP" in r.stderr
        t.check(named, f"{name}: the message names the file, the HDUs and {tid}", r.stderr[-600:])
        t.check(not outputs(out), f"{name}: no output written")


ids = cat["TARGETID"]
m = 40
bad_case("missing-from-fibermap", np.arange(m), np.arange(1, m), ids[0], ranks=(1, 2, 4))
bad_case("extra-in-fibermap", np.arange(m), np.arange(m + 1), ids[m])
bad_case("duplicate-in-redshifts", np.concatenate([np.arange(m), [7]]), np.arange(m), ids[7])


def move_repeat(fm):
    fm["TARGET_RA"][-1] += 1e-6  # the repeated row of target 5 moves


bad_case("conflicting-repeats", np.arange(m), np.concatenate([np.arange(m), [5]]), ids[5],
         fm_positions=move_repeat)
bad_case("no-spectype", np.arange(m), np.arange(m), "SPECTYPE", spectype_col=False)
t.done()
