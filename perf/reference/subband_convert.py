#!/usr/bin/env python3
"""Reference for `tessera subband convert`: the original DSA-110 approach
without casacore, with numpy/h5py/astropy from Debian.

    subband_convert.py INDIR OUTFILE [--dut1 S]

h5py reads every subband of the (single) group in INDIR whole, numpy
concatenates them along frequency (ascending), recomputes uvw from antenna
positions for the meridian at the group's mid time (astropy for sidereal time
and HADEC -> ICRS -> apparent, as pyuvdata does), rotates the visibilities by
exp(-2 pi i (w_new - w_old) f / c) and writes one UVH5 file with h5py.
One process; numpy may use one BLAS thread (OPENBLAS_NUM_THREADS=1)."""
import argparse
import glob
import os

import h5py
import numpy as np
from astropy import units as u
from astropy.coordinates import EarthLocation, HADec, ICRS, SkyCoord, CIRS
from astropy.time import Time
from astropy.utils import iers

iers.conf.auto_download = False
iers.conf.iers_degraded_accuracy = "warn"
C = 299792458.0

ap = argparse.ArgumentParser()
ap.add_argument("indir")
ap.add_argument("outfile")
ap.add_argument("--dut1", type=float, default=0.0)
a = ap.parse_args()

files = sorted(glob.glob(os.path.join(a.indir, "*_sb??.hdf5")))
vis, flags, nsamples, freqs = [], [], [], []
for p in files:
    with h5py.File(p, "r") as f:
        if not vis:
            H = f["Header"]
            hdr = {k: H[k][()] for k in H if isinstance(H[k], h5py.Dataset)}
            dec_pt = float(H["extra_keywords/phase_center_dec"][()])
        fr = f["Header/freq_array"][()].ravel()
        v = f["Data/visdata"][()]
        # h5py maps a {r, i} compound to complex already
        v = (v["r"] + 1j * v["i"]).astype(np.complex64) if v.dtype.names else v.astype(np.complex64)
        if v.ndim == 4:
            v = v[:, 0]
        fl = f["Data/flags"][()]
        ns = f["Data/nsamples"][()]
        if fl.ndim == 4:
            fl, ns = fl[:, 0], ns[:, 0]
        vis.append(v), flags.append(fl), nsamples.append(ns), freqs.append(fr)
order = np.argsort([fr.min() for fr in freqs])
vis = np.concatenate([vis[i][:, ::-1] if freqs[i][0] > freqs[i][-1] else vis[i] for i in order], 1)
flags = np.concatenate([flags[i][:, ::-1] if freqs[i][0] > freqs[i][-1] else flags[i] for i in order], 1)
nsamples = np.concatenate([nsamples[i][:, ::-1] if freqs[i][0] > freqs[i][-1] else nsamples[i]
                           for i in order], 1)
freq = np.concatenate([np.sort(freqs[i]) for i in order])

lat, lon, alt = float(hdr["latitude"]), float(hdr["longitude"]), float(hdr["altitude"])
loc = EarthLocation.from_geodetic(lon=lon * u.deg, lat=lat * u.deg, height=alt * u.m)
times = hdr["time_array"]
ut, inv = np.unique(times, return_inverse=True)
t = Time(ut, format="jd", scale="utc", location=loc)
t.delta_ut1_utc = a.dut1
tmid = Time(0.5 * (ut.min() + ut.max()), format="jd", scale="utc", location=loc)
tmid.delta_ut1_utc = a.dut1
center = SkyCoord(ha=0 * u.deg, dec=dec_pt * u.rad, frame=HADec(obstime=tmid, location=loc)).icrs
lst = t.sidereal_time("apparent").rad
app = center.transform_to(CIRS(obstime=t, location=loc))
eo = (t.sidereal_time("apparent") - t.earth_rotation_angle(loc.lon)).rad
app_ra = np.mod(app.ra.rad + eo, 2 * np.pi)  # equinox RA = CIRS RA + (GAST - ERA)
app_dec = app.dec.rad
lonr = np.radians(lon)
rot = np.array([[np.cos(lonr), np.sin(lonr), 0], [-np.sin(lonr), np.cos(lonr), 0], [0, 0, 1]])
pos = hdr["antenna_positions"] @ rot.T
idx = {n: i for i, n in enumerate(hdr["antenna_numbers"])}
i1 = np.array([idx[n] for n in hdr["ant_1_array"]])
i2 = np.array([idx[n] for n in hdr["ant_2_array"]])
b = pos[i2] - pos[i1]
h = (lst - app_ra)[inv]
d = app_dec[inv]
x, y, z = b[:, 0], b[:, 1], b[:, 2]
uvw = np.stack([x * np.sin(h) + y * np.cos(h),
                -x * np.sin(d) * np.cos(h) + y * np.sin(d) * np.sin(h) + z * np.cos(d),
                x * np.cos(d) * np.cos(h) - y * np.cos(d) * np.sin(h) + z * np.sin(d)], 1)
w_old = x * np.cos(dec_pt) + z * np.sin(dec_pt)
vis *= np.exp(-2j * np.pi * (uvw[:, 2] - w_old)[:, None] * freq[None, :] / C).astype(np.complex64)[:, :, None]

with h5py.File(a.outfile, "w") as f:
    H = f.create_group("Header")
    for k, v in hdr.items():
        if k not in ("freq_array", "channel_width", "uvw_array", "Nfreqs"):
            H[k] = v
    H["Nfreqs"] = len(freq)
    H["freq_array"] = freq
    H["channel_width"] = np.full(len(freq), float(np.ravel(hdr["channel_width"])[0]))
    H["uvw_array"] = uvw
    H["lst_array"] = lst[inv]
    H["version"] = np.bytes_("1.1")
    D = f.create_group("Data")
    ct = np.dtype([("r", "<f4"), ("i", "<f4")])
    D.create_dataset("visdata", data=vis.view(ct).reshape(vis.shape))
    D["flags"] = flags
    D["nsamples"] = nsamples
