#!/usr/bin/python3
"""Reference: the original baltools approach to finding BAL troughs, per QSO in
Python, for ms-per-QSO figures (perf/cases/healpix.json).

For each pixel: fitsio reads the zafter file and the coadd (FIBERMAP, and the
arms' FLUX/IVAR/MASK), the arms are merged by inverse-variance weighting, and
each QSO in 1.57 <= Z <= 5 is fitted with scipy.optimize.minimize
(Nelder-Mead) on the PCA chi2, then searched for CIV/SiIV troughs with
pixel-by-pixel Python loops, with the iterative masking of AI troughs.
Prints the fit+search time per QSO.

    healpix_balfind.py ALTZDIR REDUX TEMPLATES [--max-qso N]
"""
import argparse
import glob
import os
import time

import fitsio
import numpy as np
from scipy.optimize import minimize

C = 299792.458


def merge(coadd, rows):
    waves, fl, iv = [], [], []
    for arm in "BRZ":
        w = coadd[f"{arm}_WAVELENGTH"].read()
        waves.append(w)
        f = coadd[f"{arm}_FLUX"].read()[rows]
        i = coadd[f"{arm}_IVAR"].read()[rows]
        m = coadd[f"{arm}_MASK"].read()[rows]
        i = np.where(m != 0, 0.0, i)
        fl.append(f)
        iv.append(i)
    start = min(w[0] for w in waves)
    n = int(round((max(w[-1] for w in waves) - start) / 0.8)) + 1
    wave = start + 0.8 * np.arange(n)
    num = np.zeros((len(rows), n))
    den = np.zeros((len(rows), n))
    for w, f, i in zip(waves, fl, iv):
        o = int(round((w[0] - start) / 0.8))
        num[:, o:o + len(w)] += f * i
        den[:, o:o + len(w)] += i
    flux = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return wave, flux, den


def troughs(v, fn, sn, vlo, vhi, minw, ai, maxn):
    idx = []
    for i in range(len(v)):
        if vlo <= v[i] <= vhi:
            idx.append(i)
    out = []
    total = 0.0
    j = 0
    absorbed = [(1 - fn[i] / 0.9) - 0.5 * sn[i] > 0 for i in idx]
    while j < len(idx) and len(out) < maxn:
        if not absorbed[j]:
            j += 1
            continue
        s = e = j
        k = j + 1
        while k < len(idx):
            if absorbed[k]:
                e = k
                k += 1
                continue
            bridge = k + 1 < len(idx) and absorbed[k + 1]
            if ai:
                bridge = bridge and k >= 2 and absorbed[k - 1] and absorbed[k - 2]
            if not bridge:
                break
            k += 1
        j = e + 1
        vs, ve = v[idx[s]], v[idx[e]]
        if ve - vs <= minw:
            continue
        seg = [idx[q] for q in range(s, e + 1)]
        if ai:
            n = len(seg)
            if not 1 - (np.mean([fn[q] for q in seg]) + 3 * np.mean([sn[q] for q in seg]) / np.sqrt(n)) / 0.9 > 0:
                continue
        for a, b in zip(seg[:-1], seg[1:]):
            over = v[b] - (vs + minw)
            if over > 0:
                total += (1 - fn[b] / 0.9) * min(v[b] - v[a], over)
        out.append((-ve, -vs))
    return max(total, 0.0), out


def fit_one(rest, flux, ivar, tw, tpl):
    sel = (rest >= max(1261, tw[0])) & (rest <= min(2399, tw[-1])) & (ivar > 0)
    basis = np.array([np.interp(rest, tw, t) for t in tpl])
    use = sel.copy()
    coeffs = None
    for _ in range(10):
        b = basis[:, use]
        f = flux[use]
        w = ivar[use]
        x0 = np.linalg.lstsq((b * np.sqrt(w)).T, f * np.sqrt(w), rcond=None)[0] if coeffs is None else coeffs
        res = minimize(lambda a: np.sum(w * (f - a @ b) ** 2), x0, method="Nelder-Mead",
                       options={"maxiter": 2000, "xatol": 1e-6, "fatol": 1e-6})
        coeffs = res.x
        model = coeffs @ basis
        new = sel.copy()
        for line in (1549.0, 1398.0):
            v = C * (rest - line) / line
            ok = sel & (model > 0)
            fn = np.where(ok, flux / np.where(model > 0, model, 1), 1.0)
            sn = np.where(ok, 1 / np.sqrt(np.where(ivar > 0, ivar, 1)) / np.where(model > 0, model, 1), 1e9)
            _, tr = troughs(v, fn, sn, -25000, 0, 450, True, 17)
            for vmin, vmax in tr:
                if vmin > 0:
                    new &= ~((-v >= vmin) & (-v <= vmax))
        if new.sum() == use.sum():
            break
        use = new
    model = coeffs @ basis
    result = {}
    for name, line in (("CIV", 1549.0), ("SIIV", 1398.0)):
        v = C * (rest - line) / line
        ok = (model > 0) & (ivar > 0)
        fn = np.where(ok, flux / np.where(model > 0, model, 1), 1.0)
        sn = np.where(ok, 1 / np.sqrt(np.where(ivar > 0, ivar, 1)) / np.where(model > 0, model, 1), 1e9)
        result["BI_" + name] = troughs(v, fn, sn, -25000, -3000, 2000, False, 5)[0]
        result["AI_" + name] = troughs(v, fn, sn, -25000, 0, 450, True, 17)[0]
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("altzdir")
    ap.add_argument("redux")
    ap.add_argument("templates")
    ap.add_argument("--max-qso", type=int, default=200)
    a = ap.parse_args()
    t = fitsio.read(a.templates, ext=1)
    tw = t["WAVE"]
    tpl = [t[c] for c in t.dtype.names if c.startswith("PCA")]
    nq = 0
    fit_s = read_s = 0.0
    for zaf in sorted(glob.glob(os.path.join(a.altzdir, "healpix", "*", "*", "*", "*", "zafter-*.fits"))):
        pixel = os.path.basename(os.path.dirname(zaf))
        survey, program = zaf.split(os.sep)[-5], zaf.split(os.sep)[-4]
        coadd = os.path.join(a.redux, "healpix", survey, program, str(int(pixel) // 100), pixel,
                             f"coadd-{survey}-{program}-{pixel}.fits")
        if not os.path.exists(coadd):
            continue
        t0 = time.perf_counter()
        z = fitsio.read(zaf, ext="REDSHIFTS")
        z = z[(z["Z"] >= 1.57) & (z["Z"] <= 5.0)]
        with fitsio.FITS(coadd) as f:
            ids = f["FIBERMAP"].read(columns=["TARGETID"])["TARGETID"]
            row = {int(x): i for i, x in enumerate(ids)}
            rows = [row[int(x)] for x in z["TARGETID"]]
            wave, flux, ivar = merge(f, rows)
        t1 = time.perf_counter()
        read_s += t1 - t0
        for q in range(len(z)):
            if nq >= a.max_qso:
                break
            fit_one(wave / (1 + z["Z"][q]), flux[q], ivar[q], tw, tpl)
            nq += 1
        fit_s += time.perf_counter() - t1
        if nq >= a.max_qso:
            break
    print(f"{nq} QSOs: fit+search {1e3 * fit_s / max(nq, 1):.1f} ms per QSO, read {read_s:.2f} s")


if __name__ == "__main__":
    main()
