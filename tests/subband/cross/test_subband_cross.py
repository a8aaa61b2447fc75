"""subband convert checked with independent tools: h5py (layout, dtypes, data),
numpy (uvw rotation, phase factors), astropy (sidereal time, meridian ICRS).
Outputs at 1, 2 and 4 ranks must be identical."""
import glob
import os

import h5py
import numpy as np

from tessera_test import TestRun, mpirun_tessera, scratch, tessera

C = 299792458.0
t = TestRun("subband cross-checks")
d = scratch("subband_cross")
inp = os.path.join(d, "in")
r = tessera(["synth", "subband", "--out", inp, "--scale", "tiny", "--sources", "1", "--noise", "0",
             "--no-progress"])
t.check(r.returncode == 0, "synth subband tiny exits 0", r)
ra, dec, flux = np.loadtxt(os.path.join(inp, "synth_sources.txt"), ndmin=2)[0]
files = sorted(glob.glob(os.path.join(inp, "*_sb??.hdf5")))
t.check(len(files) == 16, "16 subband files", len(files))

# astropy: DUT1 at the group's mid time, passed to the converter so both use the same UT1.
from astropy.time import Time
from astropy.coordinates import EarthLocation, SkyCoord, HADec, ICRS
import astropy.units as u
from astropy.utils import iers
iers.conf.auto_download = False

with h5py.File(files[0], "r") as f:
    lat, lon, alt = (float(f["Header/" + k][()]) for k in ("latitude", "longitude", "altitude"))
    times = f["Header/time_array"][()]
    dec_pt = float(f["Header/extra_keywords/phase_center_dec"][()])
loc = EarthLocation.from_geodetic(lon=lon * u.deg, lat=lat * u.deg, height=alt * u.m)
tmid = Time(0.5 * (times.min() + times.max()), format="jd", scale="utc", location=loc)
dut1 = float((tmid.ut1.jd1 - tmid.utc.jd1 + tmid.ut1.jd2 - tmid.utc.jd2) * 86400.0)

outs = {}
for n in (1, 2, 4):
    out = os.path.join(d, f"out{n}")
    r = mpirun_tessera(n, ["subband", "convert", "--in", inp, "--out", out, "--phase-center",
                           f"{ra!r},{dec!r}", "--dut1", f"{dut1!r}", "--no-progress"])
    t.check(r.returncode == 0, f"convert on {n} rank(s) exits 0", r)
    found = glob.glob(os.path.join(out, "*.uvh5"))
    t.check(len(found) == 1, f"one output file at {n} rank(s)", found)
    outs[n] = found[0] if found else None

path = outs[1]
f = h5py.File(path, "r")
H = f["Header"]
nblts, nfreqs, npols = int(H["Nblts"][()]), int(H["Nfreqs"][()]), int(H["Npols"][()])
nants = int(H["Nants_telescope"][()])
required = {
    "latitude": ((), "f8"), "longitude": ((), "f8"), "altitude": ((), "f8"),
    "Nants_data": ((), "i8"), "Nants_telescope": ((), "i8"), "Nbls": ((), "i8"),
    "Nblts": ((), "i8"), "Nspws": ((), "i8"), "Nfreqs": ((), "i8"), "Npols": ((), "i8"),
    "Ntimes": ((), "i8"), "ant_1_array": ((nblts,), "i8"), "ant_2_array": ((nblts,), "i8"),
    "antenna_numbers": ((nants,), "i8"), "antenna_positions": ((nants, 3), "f8"),
    "uvw_array": ((nblts, 3), "f8"), "time_array": ((nblts,), "f8"),
    "integration_time": ((nblts,), "f8"), "lst_array": ((nblts,), "f8"),
    "freq_array": ((nfreqs,), "f8"), "channel_width": ((nfreqs,), "f8"), "spw_array": ((1,), "i8"),
    "polarization_array": ((npols,), "i8"), "phase_center_id_array": ((nblts,), "i8"),
    "phase_center_app_ra": ((nblts,), "f8"), "phase_center_app_dec": ((nblts,), "f8"),
    "phase_center_frame_pa": ((nblts,), "f8"),
}
for name, (shape, dtype) in required.items():
    ok = name in H and H[name].shape == shape and H[name].dtype == np.dtype(dtype)
    t.check(ok, f"Header/{name} {shape} {dtype}",
            (H[name].shape, H[name].dtype) if name in H else "missing")
for name in ("telescope_name", "instrument", "history", "version", "antenna_names"):
    t.check(name in H and H[name].dtype.kind == "S", f"Header/{name} is a byte string")
t.check(H["version"][()] == b"1.1", "UVH5 version 1.1")
cat = H["phase_center_catalog/0"]
t.check(cat["cat_type"][()] == b"sidereal" and cat["cat_frame"][()] == b"icrs",
        "phase_center_catalog has one sidereal ICRS entry")
vis = f["Data/visdata"]
# h5py presents a {r, i} float32 compound as complex64; check the HDF5 type itself too.
vt = vis.id.get_type()
t.check(vis.shape == (nblts, nfreqs, npols) and vis.dtype == np.complex64
        and vt.get_nmembers() == 2 and vt.get_member_name(0) == b"r"
        and vt.get_member_name(1) == b"i" and vt.get_size() == 8,
        "visdata (Nblts, Nfreqs, Npols) complex64 {r, i}", (vis.shape, vis.dtype))
t.check(f["Data/flags"].dtype == np.bool_ and f["Data/flags"].shape == vis.shape, "flags bool")
t.check(f["Data/nsamples"].dtype == np.float32 and f["Data/nsamples"].shape == vis.shape,
        "nsamples float32")
freq = H["freq_array"][()]
cw = H["channel_width"][()]
t.check(np.all(np.diff(freq) > 0), "frequencies ascending")
t.check(np.allclose(np.diff(freq), cw[:-1], rtol=1e-9), "frequencies contiguous (step = width)")

# Identical at 1, 2 and 4 ranks.
def contents(p):
    out = {}
    with h5py.File(p, "r") as g:
        g.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return out
ref = contents(outs[1])
for n in (2, 4):
    if outs[n]:
        other = contents(outs[n])
        same = ref.keys() == other.keys() and all(
            np.array_equal(ref[k], other[k]) for k in ref)
        t.check(same, f"output at {n} ranks identical to 1 rank")

def as_complex(a):
    return (a["r"] + 1j * a["i"]) if a.dtype.names else a.astype(np.complex128)
V = as_complex(vis[()]).astype(np.complex128)
# Flat phase on the source on every baseline, time and channel.
cross = H["ant_1_array"][()] != H["ant_2_array"][()]
ph = np.degrees(np.angle(V[cross]))
t.check(np.sqrt(np.mean(ph ** 2)) < 1.0, "source phase flat (rms < 1 deg)", np.sqrt(np.mean(ph ** 2)))
t.check(np.allclose(np.abs(V[cross]), flux, rtol=1e-4), "source amplitude is its flux")

# uvw: numpy TMS rotation from antenna positions at H = lst - app_ra, dec = app_dec.
lonr = np.radians(lon)
pos = H["antenna_positions"][()]
rot = np.array([[np.cos(lonr), np.sin(lonr), 0], [-np.sin(lonr), np.cos(lonr), 0], [0, 0, 1]])
loc_pos = pos @ rot.T
idx = {a: i for i, a in enumerate(H["antenna_numbers"][()])}
i1 = np.array([idx[a] for a in H["ant_1_array"][()]])
i2 = np.array([idx[a] for a in H["ant_2_array"][()]])
b = loc_pos[i2] - loc_pos[i1]
def tms(b, h, dd):
    x, y, z = b[:, 0], b[:, 1], b[:, 2]
    return np.stack([x * np.sin(h) + y * np.cos(h),
                     -x * np.sin(dd) * np.cos(h) + y * np.sin(dd) * np.sin(h) + z * np.cos(dd),
                     x * np.cos(dd) * np.cos(h) - y * np.cos(dd) * np.sin(h) + z * np.sin(dd)], 1)
def turn(uvw, pa):
    """(u, v) turned by the frame position angle (pyuvdata's calc_uvw)."""
    c, s = np.cos(pa), np.sin(pa)
    return np.stack([c * uvw[:, 0] - s * uvw[:, 1], s * uvw[:, 0] + c * uvw[:, 1], uvw[:, 2]], 1)
fpa = H["phase_center_frame_pa"][()]
uvw_np = turn(tms(b, H["lst_array"][()] - H["phase_center_app_ra"][()],
                  H["phase_center_app_dec"][()]), fpa)
t.check(np.allclose(uvw_np, H["uvw_array"][()], atol=1e-6),
        "uvw equal numpy's TMS rotation turned by phase_center_frame_pa",
        np.abs(uvw_np - H["uvw_array"][()]).max())
uvw_out = H["uvw_array"][()]
# uvw(a, b) = -uvw(b, a): the rotation is linear in pos(ant2) - pos(ant1).
t.check(np.allclose(turn(tms(-b, H["lst_array"][()] - H["phase_center_app_ra"][()],
                             H["phase_center_app_dec"][()]), fpa), -uvw_out, atol=1e-6),
        "uvw antisymmetric")
with h5py.File(files[0], "r") as g:
    uvw_in = g["Header/uvw_array"][()].astype(np.float64)
    t.check(g["Header/uvw_array"].dtype == np.float32, "input uvw are float32 (DSA-110 layout)")
    t.check(g["Data/visdata"].ndim == 4, "input visdata rank 4 (DSA-110 layout)")
drift = tms(b, np.zeros(nblts), np.full(nblts, dec_pt))
t.check(np.allclose(drift, uvw_in, atol=2e-3), "zero-hour-angle uvw equal the input drift uvw",
        np.abs(drift - uvw_in).max())

# visdata = input subbands x phase factors exp(-2 pi i (w_new - w_old) f / c).
worst = 0.0
for p in files:
    with h5py.File(p, "r") as g:
        fin = g["Header/freq_array"][()].ravel()
        vin = as_complex(g["Data/visdata"][()]).astype(np.complex128)[:, 0]
        w_old = g["Header/uvw_array"][()][:, 2].astype(np.float64)
    fac = np.exp(-2j * np.pi * (uvw_out[:, 2] - w_old)[:, None] * fin[None, :] / C)
    want = vin * fac[:, :, None]
    cols = np.searchsorted(freq, fin)
    worst = max(worst, np.abs(V[:, cols, :] - want).max())
t.check(worst < 1e-2 * flux, "visdata = input x phase factors (float32 input uvw)", worst)
f.close()

# Sidereal time vs astropy within 1 ms.
with h5py.File(path, "r") as g:
    tt = Time(g["Header/time_array"][()], format="jd", scale="utc", location=loc)
    tt.delta_ut1_utc = dut1
    lst_ap = tt.sidereal_time("apparent").rad
    diff = np.angle(np.exp(1j * (g["Header/lst_array"][()] - lst_ap)))
    t.check(np.abs(diff).max() * 86400 / (2 * np.pi) < 1e-3, "lst_array = astropy apparent LST (< 1 ms)",
            np.abs(diff).max() * 86400 / (2 * np.pi))

# Meridian phase centre vs astropy HADEC -> ICRS within 1 arcsec.
outm = os.path.join(d, "outm")
r = tessera(["subband", "convert", "--in", inp, "--out", outm, "--dut1", f"{dut1!r}", "--no-progress"])
t.check(r.returncode == 0, "convert to the meridian exits 0", r)
pm = glob.glob(os.path.join(outm, "*.uvh5"))
if pm:
    with h5py.File(pm[0], "r") as g:
        lon_c = float(g["Header/phase_center_catalog/0/cat_lon"][()])
        lat_c = float(g["Header/phase_center_catalog/0/cat_lat"][()])
        tm = g["Header/time_array"][()]
    tmid = Time(0.5 * (tm.min() + tm.max()), format="jd", scale="utc", location=loc)
    c = SkyCoord(ha=0 * u.deg, dec=dec_pt * u.rad, frame=HADec(obstime=tmid, location=loc))
    i = c.transform_to(ICRS())
    sep = SkyCoord(ra=lon_c * u.rad, dec=lat_c * u.rad).separation(i).arcsec
    t.check(sep < 1.0, "meridian ICRS = astropy HADEC->ICRS (< 1 arcsec)", sep)
t.done()
