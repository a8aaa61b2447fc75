"""healpix split resumes from the TSFPRINT fingerprint in each zafter header:
a re-run with the same inputs and options skips every pixel (and says how
many); a changed catalog byte or a changed column option redoes every pixel; a
zafter file whose fingerprint keyword is wrong or missing, or which is
truncated, is redone; redone files equal those of a clean run; no `.fp`
sidecars are written."""
import filecmp
import glob
import os
import re

import numpy as np
from astropy.io import fits

from tessera_test import TestRun, mpirun_tessera, scratch, tessera

t = TestRun("healpix split resume")
work = scratch("healpix_split_resume")
data = os.path.join(work, "data")
r = tessera(["synth", "healpix", "--out", data, "--scale", "tiny", "--seed", "5", "--no-progress"])
if not t.check(r.returncode == 0, "synth healpix tiny exits 0", r):
    t.done()

# A catalog copy with RA2/DEC2 equal to TARGET_RA/TARGET_DEC: the column
# options change, the pixels and values do not.
cat = os.path.join(work, "QSO_cat.fits")
with fits.open(os.path.join(data, "QSO_cat.fits")) as h:
    hdu = h["QSO_CAT"]
    cols = hdu.columns + fits.ColDefs([
        fits.Column(name="RA2", format="D", array=hdu.data["TARGET_RA"]),
        fits.Column(name="DEC2", format="D", array=hdu.data["TARGET_DEC"])])
    new = fits.BinTableHDU.from_columns(cols, header=hdu.header)
    fits.HDUList([h[0].copy(), new]).writeto(cat)


def zafters(root):
    return sorted(glob.glob(os.path.join(root, "healpix", "main", "dark", "*", "*", "zafter-*.fits")))


def split(out, ranks=1, extra=()):
    r = mpirun_tessera(ranks, ["healpix", "split", "--catalog", cat, "--out", out, "--no-progress",
                               *extra])
    m = re.search(r"in (\d+) zafter files \((\d+) up to date\)", r.stderr)
    return r, (int(m.group(1)), int(m.group(2))) if m else (-1, -1)


def snapshot(root):
    return {f: (os.stat(f).st_ino, os.path.getmtime(f)) for f in zafters(root)}


def same_files(a, b):
    fa, fb = zafters(a), zafters(b)
    return [os.path.relpath(f, a) for f in fa] == [os.path.relpath(f, b) for f in fb] and \
        all(filecmp.cmp(x, y, shallow=False) for x, y in zip(fa, fb))


alt = os.path.join(work, "altz")
ref = os.path.join(work, "altz-ref")
r, (n, skipped) = split(alt)
t.check(r.returncode == 0 and n > 20 and skipped == 0, f"first split writes {n} files, none up to date", r)
split(ref)
files = zafters(alt)
t.check(len(files) == n, f"{len(files)} zafter files on disk")
t.check(not glob.glob(os.path.join(alt, "**", "*.fp"), recursive=True), "no .fp sidecar files")
with fits.open(files[0]) as h:
    fp = h["REDSHIFTS"].header.get("TSFPRINT", "")
t.check(re.fullmatch(r"[0-9a-f]{16}", fp) is not None, f"zafter header records TSFPRINT = '{fp}'")

# ---- same inputs: everything skipped, nothing touched --------------------------
before = snapshot(alt)
for ranks in (1, 2):
    r, (n2, skipped) = split(alt, ranks)
    t.check(r.returncode == 0 and skipped == n, f"re-run at {ranks} rank(s) skips all {n} pixels "
            f"(reported {skipped} up to date)", r)
t.check(snapshot(alt) == before, "skipped files untouched (same inodes and mtimes)")

# ---- damaged or foreign files: only those are redone -------------------------------
wrong_fp, no_fp, truncated = files[1], files[2], files[3]
with open(wrong_fp, "r+b") as f:
    head = f.read(5760)
    at = head.index(b"TSFPRINT= '") + 11
    f.seek(at)
    f.write(b"0" if head[at:at + 1] != b"0" else b"1")
with fits.open(no_fp, mode="update") as h:
    del h["REDSHIFTS"].header["TSFPRINT"]
os.truncate(truncated, os.path.getsize(truncated) - 2880)
r, (_, skipped) = split(alt)
t.check(r.returncode == 0 and skipped == n - 3,
        f"a wrong, a missing TSFPRINT and a truncated file are redone ({n - skipped} redone)", r)
t.check(same_files(alt, ref), "redone files equal those of a clean run")

# ---- changed column option: every pixel redone ---------------------------------------
r, (_, skipped) = split(alt, 2, ["--ra-column", "RA2", "--dec-column", "DEC2"])
t.check(r.returncode == 0 and skipped == 0, f"--ra-column/--dec-column changed: all redone ({skipped} up to date)", r)
with fits.open(files[0]) as h:
    t.check(h["REDSHIFTS"].header["TSFPRINT"] != fp, "the new files record a new fingerprint")
    same_data = True
    with fits.open(os.path.join(ref, os.path.relpath(files[0], alt))) as g:
        same_data = np.array_equal(h["REDSHIFTS"].data, g["REDSHIFTS"].data)
t.check(same_data, "same values (RA2/DEC2 equal TARGET_RA/TARGET_DEC)")
r, (_, skipped) = split(alt, 1, ["--ra-column", "RA2", "--dec-column", "DEC2"])
t.check(r.returncode == 0 and skipped == n, "and are up to date for those options afterwards", r)

# ---- changed catalog byte: every pixel redone, the new value written ------------------
with fits.open(cat) as h:
    d = h["QSO_CAT"].data
    tid0, z0 = int(d["TARGETID"][0]), float(d["Z"][0])
    # Byte position of row 0's Z: data start + the field's offset in the row.
    at = h.fileinfo(1)["datLoc"] + d.dtype.fields["Z"][1]
with open(cat, "r+b") as f:
    f.seek(at)
    f.write(np.array([z0 + 0.125], dtype=">f8").tobytes())
with fits.open(cat) as h:
    t.check(float(h["QSO_CAT"].data["Z"][0]) == z0 + 0.125, "catalog Z of row 0 changed in place")
r, (_, skipped) = split(alt, 1, ["--ra-column", "RA2", "--dec-column", "DEC2"])
t.check(r.returncode == 0 and skipped == 0, f"changed catalog byte: all redone ({skipped} up to date)", r)
found = False
for f in zafters(alt):
    with fits.open(f) as h:
        d = h["REDSHIFTS"].data
        k = np.nonzero(d["TARGETID"] == tid0)[0]
        if len(k):
            found = float(d["Z"][k[0]]) == z0 + 0.125
t.check(found, "the changed value is in its zafter file")

# ---- --clobber: redoes an up-to-date file ------------------------------------------
r, (_, skipped) = split(alt, 1, ["--ra-column", "RA2", "--dec-column", "DEC2", "--clobber"])
t.check(r.returncode == 0 and skipped == 0, "--clobber redoes every pixel", r)
t.done()
