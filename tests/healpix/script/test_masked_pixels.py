"""balfind --masked-pixels skip|baltools on the tiny synthetic set: synth's
random masks are cleared and the centre pixel of every injected CIV trough (BAL
QSOs with SNR >= 10) is masked in the coadd (X_MASK = 1 in every arm covering
it: merged ivar = 0). With `skip` the
AI trough is still found across the masked pixel; with `baltools` (infinite
sigma, as DESI baltools) no AI trough spans it. QSOs without any masked merged
pixel in 1000-1560 A rest (SNR ranges, SiIV and CIV windows) give identical
baltable rows in both modes. Also: identical at 1 and 2 ranks, the mode enters
the resume fingerprint, a bad value is a usage error (exit 2)."""
import filecmp
import glob
import os
import shutil

import numpy as np
from astropy.io import fits

from tessera_test import TestRun, mpirun_tessera, scratch, tessera

C = 299792.458
t = TestRun("healpix balfind --masked-pixels")
work = scratch("healpix_masked_pixels")
data = os.path.join(work, "data")
r = tessera(["synth", "healpix", "--out", data, "--scale", "tiny", "--seed", "11", "--no-progress",
             "--no-resolution"])
if not t.check(r.returncode == 0, "synth healpix tiny exits 0", r):
    t.done()
cat = os.path.join(data, "QSO_cat.fits")
redux = os.path.join(data, "redux")
truth = fits.getdata(os.path.join(data, "truth.fits"), "TRUTH")


def files(root, kind):
    return sorted(glob.glob(os.path.join(root, "healpix", "main", "dark", "*", "*", f"{kind}-*.fits")))


def table(root):
    rows = {}
    for f in files(root, "baltable"):
        d = fits.getdata(f, "BALCAT")
        for i in range(len(d)):
            rows[int(d["TARGETID"][i])] = d[i]
    return rows


# Mask the centre of every injected CIV trough of the bright BAL QSOs.
masked_redux = os.path.join(work, "redux-masked")
shutil.copytree(redux, masked_redux)
sel = (truth["IS_BAL"] == 1) & (truth["SNR"] >= 10) & (truth["Z"] >= 1.57) & (truth["Z"] <= 5.0) & \
      (truth["AI_CIV"] > 0)
target_v = {}  # TARGETID -> masked velocity (positive km/s, as VMIN/VMAX)
for row in truth[sel]:
    target_v[int(row["TARGETID"])] = (0.5 * (row["VMIN_CIV"] + row["VMAX_CIV"]), float(row["Z"]))
bad_rest = {}  # TARGETID -> rest wavelengths of merged pixels with ivar = 0 (after masking)
for path in files(masked_redux, "coadd"):
    with fits.open(path, mode="update") as h:
        ids = h["FIBERMAP"].data["TARGETID"]
        # Only the masks set here: synth's random ones (0.2% of pixels) put a
        # masked pixel in the BAL windows of nearly every QSO.
        for arm in "BRZ":
            h[f"{arm}_MASK"].data[:] = 0
        for k, tid in enumerate(ids):
            tid = int(tid)
            if tid in target_v:
                v, z = target_v[tid]
                w = 1549.0 * (1 - v / C) * (1 + z)
                for arm in "BRZ":
                    wave = h[f"{arm}_WAVELENGTH"].data
                    j = int(np.argmin(np.abs(wave - w)))
                    if abs(wave[j] - w) <= 0.4:
                        h[f"{arm}_MASK"].data[k, j] = 1
        # Merged ivar = 0 where no arm has an unmasked pixel with ivar > 0.
        has = np.zeros((len(ids), 7781), dtype=bool)
        for arm in "BRZ":
            wave = h[f"{arm}_WAVELENGTH"].data
            off = int(round((wave[0] - 3600.0) / 0.8))
            ok = (h[f"{arm}_MASK"].data == 0) & (h[f"{arm}_IVAR"].data > 0)
            has[:, off:off + len(wave)] |= ok
        grid = 3600.0 + 0.8 * np.arange(7781)
        for k, tid in enumerate(ids):
            bad_rest[int(tid)] = grid[~has[k]]
zcat = {int(x): float(z) for x, z in zip(truth["TARGETID"], truth["Z"])}
t.check(len(target_v) >= 5, f"{len(target_v)} BAL QSOs (SNR >= 10) with their trough centre masked")

alt = os.path.join(work, "altz")
r = mpirun_tessera(2, ["healpix", "split", "--catalog", cat, "--out", alt, "--no-progress"])
t.check(r.returncode == 0, "split exits 0", r)
runs = {}
for mode, n in [("skip", 2), ("baltools", 2), ("baltools", 1)]:
    d = os.path.join(work, f"altz-{mode}-{n}")
    shutil.copytree(alt, d)
    r = mpirun_tessera(n, ["healpix", "balfind", "--altzdir", d, "--redux", masked_redux,
                           "--only-with-coadd", "--masked-pixels", mode, "--no-progress"])
    t.check(r.returncode == 0, f"balfind --masked-pixels {mode} at {n} rank(s) exits 0", r)
    runs[(mode, n)] = d
fa, fb = files(runs[("baltools", 1)], "baltable"), files(runs[("baltools", 2)], "baltable")
t.check(len(fa) == len(fb) > 0 and all(filecmp.cmp(x, y, shallow=False) for x, y in zip(fa, fb)),
        "baltools mode: baltables identical at 1 and 2 ranks")
skip, bt = table(runs[("skip", 2)]), table(runs[("baltools", 2)])
t.check(sorted(skip) == sorted(bt), f"the same {len(skip)} QSOs in both modes")


def spans(row, v):
    return any(row["VMIN_CIV_450"][k] <= v <= row["VMAX_CIV_450"][k] for k in range(row["NCIV_450"]))


found = rejected = 0
for tid, (v, z) in target_v.items():
    if tid not in skip:
        continue
    found += int(skip[tid]["AI_CIV"] > 0 and spans(skip[tid], v))
    rejected += int(not spans(bt[tid], v))
t.check(found == len(target_v), f"skip: an AI trough spans the masked pixel in {found}/{len(target_v)}")
t.check(rejected == len(target_v),
        f"baltools: no AI trough spans the masked pixel in {rejected}/{len(target_v)}")
civ_changed = sum(1 for tid in skip if skip[tid]["AI_CIV"] > 0 and bt[tid]["AI_CIV"] == 0)
print(f"  QSOs with AI_CIV > 0 in skip mode and 0 in baltools mode: {civ_changed} of {len(skip)}")

names = [c for c in fits.getdata(files(runs[("skip", 2)], "baltable")[0], "BALCAT").dtype.names]
clean = [tid for tid in skip
         if not np.any((bad_rest[tid] / (1 + zcat[tid]) >= 1000) & (bad_rest[tid] / (1 + zcat[tid]) <= 1560))]
differ = [tid for tid in clean if any(not np.array_equal(skip[tid][c], bt[tid][c]) for c in names)]
t.check(len(clean) >= 10 and not differ,
        f"{len(clean)} QSOs without masked pixels in 1000-1560 A rest: identical rows in both modes",
        f"differ: {differ[:5]}")
affected = [tid for tid in skip if tid not in clean]
changed = [tid for tid in affected if any(not np.array_equal(skip[tid][c], bt[tid][c]) for c in names)]
print(f"  QSOs with masked pixels in 1000-1560 A rest: {len(affected)}, rows that differ: {len(changed)}")

# The mode is part of the baltable fingerprint: switching it redoes the pixel.
d = runs[("skip", 2)]
r = mpirun_tessera(2, ["healpix", "balfind", "--altzdir", d, "--redux", masked_redux, "--only-with-coadd",
                       "--masked-pixels", "baltools", "--no-progress"])
same = all(filecmp.cmp(x, y, shallow=False) for x, y in zip(files(d, "baltable"), fb))
t.check(r.returncode == 0 and same, "re-running a skip ALTZDIR with baltools redoes it (equal to a clean run)", r)
r = mpirun_tessera(1, ["healpix", "balfind", "--altzdir", d, "--redux", masked_redux,
                       "--masked-pixels", "inf", "--no-progress"])
t.check(r.returncode == 2 and "--masked-pixels" in r.stderr and "inf" in r.stderr,
        "--masked-pixels inf: usage error (exit 2) naming the option and value", r)
t.done()
