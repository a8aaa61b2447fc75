"""Bad input to the healpix steps (split, balfind, append) at 2 ranks gives a
clear error naming the file and the field, the documented exit code, and no
partial outputs: missing, empty, truncated or non-FITS catalogs, a directory,
missing or wrong-typed columns, NaN or out-of-range RA/DEC, invalid options, a
mistyped root, a coadd missing a TARGETID, a template file with wrong columns,
a truncated coadd or baltable (those pixels fail, the others complete).
Recorded for docs/reliability.md (bad_input.py)."""
import glob
import os
import shutil

import fitsio
import numpy as np

from bad_input import BadInputs
from tessera_test import TEST_DATA, TestRun, mpirun_tessera, scratch, tessera

t = TestRun("healpix bad input")
b = BadInputs(t, "healpix")
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


def split_case(what, name, table, says, code=3, raw=None, path=None, extra=(), names=None):
    if path is None:
        path = os.path.join(work, f"{name}.fits")
        if raw is not None:
            with open(path, "wb") as f:
                f.write(raw)
        else:
            fitsio.write(path, table, extname="QSO_CAT", clobber=True)
    out = os.path.join(work, f"altz-{name}")
    r = mpirun_tessera(2, ["healpix", "split", "--catalog", path, "--out", out, "--no-progress",
                           *extra])
    b.case("split", what, r, code, [path] if names is None else names, says,
           absent=[os.path.join(out, "**", "*.fits")], dirs=[out])


no_z = good[[c for c in good.dtype.names if c != "Z"]]
split_case("catalog without the Z column", "missing-column", no_z, "'Z': missing column")
nan_ra = good.copy()
nan_ra["TARGET_RA"][17] = np.nan
split_case("a NaN TARGET_RA (row 18)", "nan-ra", nan_ra, "TARGET_RA")
big_dec = good.copy()
big_dec["TARGET_DEC"][len(good) - 3] = 95.0
split_case("TARGET_DEC = 95 in one row", "dec-out-of-range", big_dec, "TARGET_DEC")
ra_400 = good.copy()
ra_400["TARGET_RA"][0] = 400.0
split_case("TARGET_RA = 400 in one row", "ra-out-of-range", ra_400, "TARGET_RA")
with open(cat, "rb") as f:
    raw = f.read()
split_case("catalog truncated to half", "truncated", None, "truncated", raw=raw[: len(raw) // 2])
split_case("catalog does not exist", "missing", None, "no such file",
           path=os.path.join(work, "QSO_cat_2024.fits"))
split_case("catalog is an empty file", "empty", None, "empty file (0 bytes)", raw=b"")
las = os.path.join(TEST_DATA, "pdal", "100-points.las")
split_case("catalog is a LAS file", "las", None, "cannot open as FITS", path=las)
os.makedirs(os.path.join(work, "catalog_dir.fits"))
split_case("catalog is a directory", "dir", None, "is a directory",
           path=os.path.join(work, "catalog_dir.fits"))
str_tid = [good[n] for n in good.dtype.names]
str_tid[good.dtype.names.index("TARGETID")] = np.array([str(x) for x in good["TARGETID"]])
str_tid_cat = os.path.join(work, "string-targetid.fits")
fitsio.write(str_tid_cat, str_tid, names=list(good.dtype.names), extname="QSO_CAT", clobber=True)
split_case("TARGETID stored as strings (wrong type)", "string-targetid", None, "not numeric",
           path=str_tid_cat)
split_case("--ra-column RA, absent from the catalog", "ra-column", None, "'RA': missing column",
           path=cat, extra=["--ra-column", "RA"])
split_case("--nside 3", "nside", None, "power of two", code=2, path=cat,
           extra=["--nside", "3"], names=["--nside"])
split_case("--scheme spiral (unknown)", "scheme", None, "must be 'nest' or 'ring'", code=2,
           path=cat, extra=["--scheme", "spiral"], names=["--scheme", "spiral"])

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
no_baltable = [os.path.join(alt, "**", "baltable-*.fits")]
b.case("balfind", "template file without PCA0 (wrong columns)", r, 3, [bad_tpl], "PCA0",
       absent=no_baltable)


def balfind(what, code, names, says, *args, altzdir=alt):
    r = mpirun_tessera(2, ["healpix", "balfind", "--altzdir", altzdir, "--only-with-coadd",
                           "--no-progress", *args])
    b.case("balfind", what, r, code, names, says, absent=no_baltable)


missing_redux = os.path.join(work, "redux_typo")
balfind("--redux does not exist", 2, [missing_redux, "--redux"], "not a directory", "--redux",
        missing_redux)
empty_alt = os.path.join(work, "altz-empty")
os.makedirs(empty_alt)
balfind("ALTZDIR without zafter files", 2, [empty_alt], "no zafter files", "--redux", redux,
        altzdir=empty_alt)
balfind("--masked-pixels foo (unknown)", 2, ["--masked-pixels", "foo"], "is not one of",
        "--redux", redux, "--masked-pixels", "foo")
balfind("--pixels 12x", 2, ["--pixels", "12x"], "is not a pixel number", "--redux", redux,
        "--pixels", "12x")

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
good_pixels = [os.path.join(alt, "healpix", "main", "dark", "*", str(p), "baltable-*.fits")
               for p in pixels[2:]]
b.case("balfind", "a QSO missing from its coadd's FIBERMAP (same run as the next)", r, 1,
       [coadds[0], "123456789"], "FIBERMAP", intact=good_pixels)
b.case("balfind", "a coadd truncated (its pixel fails; same run)", r, 1, [coadds[1]], "truncated",
       absent=[os.path.join(alt, "healpix", "main", "dark", "*", str(pixels[1]), "baltable-*.fits")],
       intact=good_pixels)
bal0 = glob.glob(os.path.join(alt, "healpix", "main", "dark", "*", str(pixels[0]), "baltable-*.fits"))
t.check(len(bal0) == 1 and 123456789 not in fitsio.read(bal0[0])["TARGETID"] and
        len(fitsio.read(bal0[0])) > 0, "the pixel with the missing QSO still has its other QSOs")
t.check(not glob.glob(os.path.join(alt, "healpix", "main", "dark", "*", str(pixels[1]), "baltable-*.fits")),
        "no baltable for the truncated coadd's pixel")
others = [p for p in pixels[2:] if glob.glob(os.path.join(alt, "healpix", "main", "dark", "*", str(p), "baltable-*.fits"))]
t.check(len(others) == len(pixels) - 2, "every other pixel completed")

# --- append --------------------------------------------------------------
out_dir = os.path.join(work, "appended")


def append(what, code, names, says, catalog=cat, altzdir=alt, out=None):
    out = out or os.path.join(out_dir, "QSO_cat_bal.fits")
    r = mpirun_tessera(2, ["healpix", "append", "--catalog", catalog, "--altzdir", altzdir,
                           "--out", out, "--no-progress"])
    b.case("append", what, r, code, names, says, absent=[out + "*"], dirs=[out_dir])


append("ALTZDIR without baltables", 2, [empty_alt], "no baltable files", altzdir=empty_alt)
append("catalog does not exist", 3, [os.path.join(work, "QSO_cat_2024.fits")], "no such file",
       catalog=os.path.join(work, "QSO_cat_2024.fits"))
append("TARGETID stored as strings (wrong type)", 3, [str_tid_cat], "not numeric", catalog=str_tid_cat)
blocker = os.path.join(work, "a_file")
open(blocker, "w").close()
append("--out below a regular file", 3, [blocker], "Not a directory",
       out=os.path.join(blocker, "QSO_cat_bal.fits"))
bal_any = glob.glob(os.path.join(alt, "healpix", "main", "dark", "*", "*", "baltable-*.fits"))[0]
with open(bal_any, "rb") as f:
    head = f.read()
with open(bal_any, "wb") as f:
    f.write(head[: len(head) // 2])
append("a baltable truncated to half", 3, [bal_any], "truncated")
b.done()
t.done()
