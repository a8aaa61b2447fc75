"""Bad input to the healpix steps gives a clear error naming the file and the
field, the documented exit code, and no partial outputs: missing column, NaN or
out-of-range RA/DEC, truncated FITS, a coadd missing a TARGETID, a template
file with wrong columns, a truncated coadd."""
import glob
import os
import shutil

import fitsio
import numpy as np

from tessera_test import TestRun, mpirun_tessera, scratch, tessera

t = TestRun("healpix bad input")
work = scratch("healpix_bad_input")
data = os.path.join(work, "data")
r = tessera(["synth", "healpix", "--out", data, "--scale", "tiny", "--seed", "5", "--no-progress",
             "--no-resolution"])
if not t.check(r.returncode == 0, "synth healpix tiny exits 0", r):
    t.done()
cat = os.path.join(data, "QSO_cat.fits")
redux = os.path.join(data, "redux")
good = fitsio.read(cat, ext="QSO_CAT")


def outputs(root):
    return glob.glob(os.path.join(root, "**", "*.fits"), recursive=True)


def split_case(name, table, field, raw=None):
    path = os.path.join(work, f"{name}.fits")
    if raw is not None:
        with open(path, "wb") as f:
            f.write(raw)
    else:
        fitsio.write(path, table, extname="QSO_CAT", clobber=True)
    out = os.path.join(work, f"altz-{name}")
    r = mpirun_tessera(2, ["healpix", "split", "--catalog", path, "--out", out, "--no-progress"])
    t.check(r.returncode == 3, f"{name}: split exits 3", r)
    t.check(path in r.stderr and field in r.stderr, f"{name}: message names {os.path.basename(path)} and {field}", r)
    t.check(not outputs(out), f"{name}: no output written")


no_z = good[[c for c in good.dtype.names if c != "Z"]]
split_case("missing-column", no_z, "'Z'")
nan_ra = good.copy()
nan_ra["TARGET_RA"][17] = np.nan
split_case("nan-ra", nan_ra, "TARGET_RA")
big_dec = good.copy()
big_dec["TARGET_DEC"][len(good) - 3] = 95.0
split_case("dec-out-of-range", big_dec, "TARGET_DEC")
ra_400 = good.copy()
ra_400["TARGET_RA"][0] = 400.0
split_case("ra-out-of-range", ra_400, "TARGET_RA")
with open(cat, "rb") as f:
    raw = f.read()
split_case("truncated", None, "", raw=raw[: len(raw) // 2])

# A working ALTZDIR for the balfind cases.
alt = os.path.join(work, "altz")
r = mpirun_tessera(2, ["healpix", "split", "--catalog", cat, "--out", alt, "--no-progress"])
t.check(r.returncode == 0, "split of the good catalog exits 0", r)
coadds = sorted(glob.glob(os.path.join(redux, "healpix", "main", "dark", "*", "*", "coadd-*.fits")))
pixels = [int(os.path.basename(os.path.dirname(c))) for c in coadds]

# Template file with wrong columns: fatal before any output.
bad_tpl = os.path.join(work, "bad-templates.fits")
fitsio.write(bad_tpl, {"WAVE": np.linspace(1200, 2400, 100), "EIGEN0": np.ones(100)}, clobber=True)
r = mpirun_tessera(2, ["healpix", "balfind", "--altzdir", alt, "--redux", redux, "--templates", bad_tpl,
                       "--only-with-coadd", "--no-progress"])
t.check(r.returncode == 3 and bad_tpl in r.stderr and "PCA0" in r.stderr,
        "template file with wrong columns: exit 3 naming the file and PCA0", r)
t.check(not glob.glob(os.path.join(alt, "**", "baltable-*.fits"), recursive=True),
        "template file with wrong columns: no baltable written")

# A QSO missing from its coadd's FIBERMAP: that QSO fails, the pixel goes on.
zaf = glob.glob(os.path.join(alt, "healpix", "main", "dark", "*", str(pixels[0]), "zafter-*.fits"))[0]
rows = fitsio.read(zaf, ext="REDSHIFTS")
extra = rows[:1].copy()
extra["TARGETID"] = 123456789
extra["Z"] = 2.5
fitsio.write(zaf, np.concatenate([rows, extra]), extname="REDSHIFTS", clobber=True)
# A truncated coadd: that pixel fails, the others complete.
with open(coadds[1], "rb") as f:
    head = f.read(200000)
with open(coadds[1], "wb") as f:
    f.write(head)
r = mpirun_tessera(2, ["healpix", "balfind", "--altzdir", alt, "--redux", redux, "--only-with-coadd",
                       "--no-progress"])
t.check(r.returncode == 1, "balfind with a bad QSO and a bad coadd exits 1", r)
t.check("123456789" in r.stderr and "FIBERMAP" in r.stderr and coadds[0] in r.stderr,
        "missing TARGETID named with the coadd file and FIBERMAP", r)
t.check(coadds[1] in r.stderr, "truncated coadd named in the failure summary", r)
bal0 = glob.glob(os.path.join(alt, "healpix", "main", "dark", "*", str(pixels[0]), "baltable-*.fits"))
t.check(len(bal0) == 1 and 123456789 not in fitsio.read(bal0[0])["TARGETID"] and
        len(fitsio.read(bal0[0])) > 0, "the pixel with the missing QSO still has its other QSOs")
t.check(not glob.glob(os.path.join(alt, "healpix", "main", "dark", "*", str(pixels[1]), "baltable-*.fits")),
        "no baltable for the truncated coadd's pixel")
others = [p for p in pixels[2:] if glob.glob(os.path.join(alt, "healpix", "main", "dark", "*", str(p), "baltable-*.fits"))]
t.check(len(others) == len(pixels) - 2, "every other pixel completed")
t.done()
