#!/usr/bin/python3
"""Reference: the original baltools approach to splitting a QSO catalog by
HEALPix pixel, for speed-up figures (perf/cases/healpix.json).

fitsio reads the catalog columns, healpy computes the pixels, and a
multiprocessing pool writes one zafter file per pixel, each worker selecting
its rows with a boolean mask over the whole catalog (as the original does).

    healpix_split.py CATALOG ALTZDIR [--nproc N] [--nside 64]
"""
import argparse
import multiprocessing as mp
import os

import fitsio
import healpy as hp
import numpy as np

COLS = ["TARGETID", "TARGET_RA", "TARGET_DEC", "Z", "ZERR", "ZWARN"]
_cat = None
_pix = None
_out = None


def _init(cat, pix, out):
    global _cat, _pix, _out
    _cat, _pix, _out = cat, pix, out


def write_pixel(p):
    mask = _pix == p  # per-pixel boolean mask over every row
    sel = _cat[mask]
    d = os.path.join(_out, "healpix", "main", "dark", str(p // 100), str(p))
    os.makedirs(d, exist_ok=True)
    out = np.zeros(len(sel), dtype=[("TARGETID", ">i8"), ("TARGET_RA", ">f8"), ("TARGET_DEC", ">f8"),
                                     ("Z", ">f8"), ("ZERR", ">f8"), ("ZWARN", ">f8"), ("SPECTYPE", "S6")])
    for c in COLS:
        out[c] = sel[c]
    out["SPECTYPE"] = b"QSO"
    fitsio.write(os.path.join(d, f"zafter-main-dark-{p}.fits"), out, extname="REDSHIFTS", clobber=True)
    return len(sel)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("catalog")
    ap.add_argument("altzdir")
    ap.add_argument("--nproc", type=int, default=1)
    ap.add_argument("--nside", type=int, default=64)
    a = ap.parse_args()
    cat = fitsio.read(a.catalog, columns=COLS, ext=1)
    pix = hp.ang2pix(a.nside, cat["TARGET_RA"], cat["TARGET_DEC"], lonlat=True, nest=True)
    pixels = np.unique(pix)
    if a.nproc > 1:
        with mp.Pool(a.nproc, initializer=_init, initargs=(cat, pix, a.altzdir)) as pool:
            counts = pool.map(write_pixel, pixels)
    else:
        _init(cat, pix, a.altzdir)
        counts = [write_pixel(p) for p in pixels]
    assert sum(counts) == len(cat)
    print(f"{len(cat)} rows into {len(pixels)} pixels")


if __name__ == "__main__":
    main()
