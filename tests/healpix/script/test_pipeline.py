"""The healpix pipeline end to end on the tiny synthetic set:
split (row conservation, exact dtypes read by astropy and fitsio, healpy pixels,
identical outputs at 1, 2 and 4 ranks), balfind (BI/AI and trough edges
recovered against the injected truth, false-positive rate, identical outputs
at 1, 2, 4 ranks and 2 threads, resume), append (every row once, original
columns and header untouched, defaults and BALMASK rules, identical at 1, 2, 4
ranks) and per-pixel failures (missing coadds: exit 1, others complete)."""
import filecmp
import glob
import os

import fitsio
import healpy as hp
import numpy as np
from astropy.io import fits

from tessera_test import TestRun, mpirun_tessera, scratch, tessera

C = 299792.458
t = TestRun("healpix pipeline at 1, 2, 4 ranks")
work = scratch("healpix_pipeline")
data = os.path.join(work, "data")
r = tessera(["synth", "healpix", "--out", data, "--scale", "tiny", "--seed", "3", "--no-progress"])
if not t.check(r.returncode == 0, "synth healpix tiny exits 0", r):
    t.done()
cat = os.path.join(data, "QSO_cat.fits")
redux = os.path.join(data, "redux")
catalog = fitsio.read(cat, ext="QSO_CAT")
ncat = len(catalog)


def files(root, kind):
    return sorted(glob.glob(os.path.join(root, "healpix", "main", "dark", "*", "*", f"{kind}-*.fits")))


def same_tree(a, b, kind):
    fa, fb = files(a, kind), files(b, kind)
    rel = lambda fs, root: [os.path.relpath(f, root) for f in fs]
    if rel(fa, a) != rel(fb, b):
        return False
    return all(filecmp.cmp(x, y, shallow=False) for x, y in zip(fa, fb))


# ---- split ------------------------------------------------------------------
alt = {}
for n in (1, 2, 4):
    alt[n] = os.path.join(work, f"altz{n}")
    r = mpirun_tessera(n, ["healpix", "split", "--catalog", cat, "--out", alt[n], "--no-progress"])
    t.check(r.returncode == 0, f"split at {n} rank(s) exits 0", r)
zafters = files(alt[1], "zafter")
t.check(len(zafters) > 20, f"split wrote {len(zafters)} zafter files")
ids = []
dtypes_ok = True
pix_ok = True
for f in zafters:
    pixel = int(os.path.basename(os.path.dirname(f)))
    with fits.open(f) as h:
        d = h["REDSHIFTS"].data
        want = {"TARGETID": ">i8", "TARGET_RA": ">f8", "TARGET_DEC": ">f8", "Z": ">f8",
                "ZERR": ">f8", "ZWARN": ">f8", "SPECTYPE": "S6"}
        got = {k: d.dtype[k].str.replace("|", ">") if d.dtype[k].kind != "S" else f"S{d.dtype[k].itemsize}"
               for k in want}
        dtypes_ok &= got == want and list(d.columns.names) == list(want)
        dtypes_ok &= all(s.strip() == "QSO" for s in d["SPECTYPE"])
    fd = fitsio.read(f, ext="REDSHIFTS")
    ids.extend(fd["TARGETID"].tolist())
    pix_ok &= bool(np.all(hp.ang2pix(64, fd["TARGET_RA"], fd["TARGET_DEC"], lonlat=True, nest=True) == pixel))
t.check(dtypes_ok, "zafter columns and dtypes as specified (astropy: >i8, >f8 x5, S6 'QSO')")
t.check(pix_ok, "every zafter row lies in its file's pixel (healpy)")
t.check(len(ids) == ncat, f"row totals agree: {len(ids)} rows written for {ncat} catalog rows")
t.check(sorted(ids) == sorted(catalog["TARGETID"].tolist()), "every catalog row in exactly one zafter file")
t.check(same_tree(alt[1], alt[2], "zafter") and same_tree(alt[1], alt[4], "zafter"),
        "zafter files identical at 1, 2 and 4 ranks")
r = mpirun_tessera(2, ["healpix", "split", "--catalog", cat, "--out", alt[2], "--no-progress"])
t.check(r.returncode == 0 and "up to date" in r.stderr and same_tree(alt[1], alt[2], "zafter"),
        "split re-run resumes (files up to date, unchanged)", r)

# ---- balfind ----------------------------------------------------------------
for n in (1, 2, 4):
    args = ["healpix", "balfind", "--altzdir", alt[n], "--redux", redux, "--only-with-coadd",
            "--no-progress"]
    if n == 1:
        args += ["--threads", "2"]
    r = mpirun_tessera(n, args)
    t.check(r.returncode == 0, f"balfind at {n} rank(s) exits 0", r)
bals = files(alt[1], "baltable")
t.check(len(bals) == 4, f"balfind wrote {len(bals)} baltables (one per coadd pixel)")
t.check(same_tree(alt[1], alt[2], "baltable") and same_tree(alt[1], alt[4], "baltable"),
        "baltables identical at 1 rank x 2 threads, 2 and 4 ranks")
mtimes = [os.path.getmtime(f) for f in files(alt[2], "baltable")]
r = mpirun_tessera(2, ["healpix", "balfind", "--altzdir", alt[2], "--redux", redux,
                       "--only-with-coadd", "--no-progress"])
t.check(r.returncode == 0 and mtimes == [os.path.getmtime(f) for f in files(alt[2], "baltable")],
        "balfind re-run resumes (baltables untouched)", r)

truth = fitsio.read(os.path.join(data, "truth.fits"), ext="TRUTH")
tab = np.concatenate([fitsio.read(f, ext="BALCAT") for f in bals])
with fits.open(bals[0]) as h:
    hdr = h["BALCAT"].header
    t.check(h["BALCAT"].columns["PCA_COEFFS"].format == "5E" and
            h["BALCAT"].columns["VMIN_CIV_450"].format == "17E" and
            h["BALCAT"].columns["NSIIV_2000"].format == "J" and hdr["TEMPLATE"] == "PCA_Eigenvectors.fits",
            "baltable TFORMs (5E, 17E, J) and TEMPLATE key as specified")
by_id = {int(x): i for i, x in enumerate(tab["TARGETID"])}
in_range = (truth["Z"] >= 1.57) & (truth["Z"] <= 5.0)
t.check(all((int(x) in by_id) == bool(ok) for x, ok in zip(truth["TARGETID"], in_range)),
        "one baltable row for every QSO in 1.57 <= Z <= 5.0 and none outside")
sel = in_range & (truth["IS_BAL"] == 1) & (truth["SNR"] >= 10)
worst_bi = worst_ai = worst_edge = 0.0
n_checked = 0
for row in truth[sel]:
    b = tab[by_id[int(row["TARGETID"])]]
    if row["BI_CIV"] > 0:
        worst_bi = max(worst_bi, abs(b["BI_CIV"] - row["BI_CIV"]) / row["BI_CIV"])
    worst_ai = max(worst_ai, abs(b["AI_CIV"] - row["AI_CIV"]) / row["AI_CIV"])
    # Two pixels' velocity at the trough edge: 2 * c * 0.8 A / observed wavelength.
    dv = 2 * C * 0.8 / (1549.0 * (1 - row["VMAX_CIV"] / C) * (1 + row["Z"]))
    k = int(np.argmax(b["VMAX_CIV_450"]))
    worst_edge = max(worst_edge, abs(b["VMAX_CIV_450"][k] - row["VMAX_CIV"]) / dv,
                     abs(b["VMIN_CIV_450"][k] - row["VMIN_CIV"]) / dv)
    n_checked += 1
t.check(n_checked >= 5, f"{n_checked} BAL QSOs with SNR >= 10 to check")
t.check(worst_bi <= 0.05, f"BI_CIV within 5% of the injected truth (worst {100 * worst_bi:.2f}%)")
t.check(worst_ai <= 0.05, f"AI_CIV within 5% of the injected truth (worst {100 * worst_ai:.2f}%)")
t.check(worst_edge <= 1.0, f"VMIN/VMAX within two pixels' velocity (worst {2 * worst_edge:.2f} px)")
clean = in_range & (truth["IS_BAL"] == 0)
fp = sum(tab[by_id[int(x)]]["BI_CIV"] > 0 for x in truth["TARGETID"][clean])
rate = fp / max(1, clean.sum())
print(f"  measured BI false-positive rate on trough-free spectra: {fp}/{clean.sum()} = {rate:.3f}")
t.check(rate <= 0.05, f"BI false-positive rate on trough-free spectra <= 5% ({rate:.3f})")

# ---- append -----------------------------------------------------------------
outs = {}
for n in (1, 2, 4):
    outs[n] = os.path.join(work, f"altbal{n}.fits")
    r = mpirun_tessera(n, ["healpix", "append", "--catalog", cat, "--altzdir", alt[n],
                           "--out", outs[n], "--no-progress"])
    t.check(r.returncode == 0, f"append at {n} rank(s) exits 0", r)
t.check(filecmp.cmp(outs[1], outs[2], shallow=False) and filecmp.cmp(outs[1], outs[4], shallow=False),
        "appended catalogs identical at 1, 2 and 4 ranks")
with fits.open(cat) as a, fits.open(outs[1]) as b:
    t.check(b[1].header["EXTNAME"] == "ZCATALOG", "appended HDU is EXTNAME=ZCATALOG")
    ha, hb = a[1].header, b[1].header
    keys_ok = all(hb.get(k) == ha[k] for k in ("SEED", "SCALE")) and b[0].header.get("ORIGIN") == a[0].header.get("ORIGIN")
    t.check(keys_ok, "original header keys kept")
    da, db = a[1].data, b[1].data
    cols_ok = all(np.array_equal(da[c], db[c]) and da.dtype[c] == db.dtype[c] for c in da.columns.names)
    t.check(len(db) == len(da) and cols_ok, "every catalog row once, original columns untouched")
    t.check(db.columns["BALMASK"].format == "B" and db.columns["PCA_COEFFS"].format == "5E",
            "BALMASK is B, PCA_COEFFS 5E")
    matched = np.array([int(x) in by_id for x in db["TARGETID"]])
    zout = (db["Z"] < 1.57) | (db["Z"] > 5.0)
    t.check(np.array_equal(db["BALMASK"], np.where(matched, 0, 1) + np.where(zout, 2, 0)),
            "BALMASK = 0 matched / 1 unmatched, +2 outside 1.57 <= Z <= 5")
    t.check(np.all(db["BAL_PROB"][~matched] == -99) and np.all(db["BI_CIV"][~matched] == 0) and
            np.all(db["VMIN_CIV_450"][~matched] == 0) and np.all(db["NCIV_2000"][~matched] == 0),
            "unmatched rows: BAL_PROB -99, floats and arrays 0")
    idx = [by_id[int(x)] for x in db["TARGETID"][matched]]
    t.check(np.array_equal(db["BI_CIV"][matched], tab["BI_CIV"][idx]) and
            np.array_equal(db["VMAX_CIV_450"][matched], tab["VMAX_CIV_450"][idx]),
            "matched rows carry the baltable values")

# ---- per-pixel failures -----------------------------------------------------
r = mpirun_tessera(2, ["healpix", "balfind", "--altzdir", alt[4], "--redux", redux, "--no-progress"])
t.check(r.returncode == 1 and "missing coadd" in r.stderr,
        "pixels without a coadd are recorded as failures (exit 1, reason listed)", r)
t.check(same_tree(alt[1], alt[4], "baltable"), "the other pixels' baltables are complete and unchanged")
t.done()
