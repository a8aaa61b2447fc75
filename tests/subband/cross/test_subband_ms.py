"""subband convert --format ms|both read back with python-casacore: the MS
structure (MAIN and the ANTENNA, SPECTRAL_WINDOW, POLARIZATION, FIELD,
DATA_DESCRIPTION, OBSERVATION, HISTORY subtables), column shapes and types,
DATA/FLAG/UVW/TIME equal to the UVH5 output of the same run (DATA
conjugated and UVW negated as pyuvdata's write_ms stores them), ascending
frequencies, FIELD = the meridian phase centre in ICRS, antenna positions in
ITRF; identical at 1, 2 and 4 ranks; --format ms leaves only the MS; a failed
MS write leaves nothing under the final name."""
import glob
import os

import h5py
import numpy as np
from casacore.tables import table

from tessera_test import TestRun, mpirun_tessera, scratch, tessera

import astropy.units as u
from astropy.coordinates import EarthLocation

t = TestRun("subband Measurement Set")
d = scratch("subband_ms")
inp = os.path.join(d, "in")
r = tessera(["synth", "subband", "--out", inp, "--scale", "tiny", "--npols", "4", "--no-progress"])
t.check(r.returncode == 0, "synth tiny, 4 polarizations", r)

outs = {}
for n in (1, 2, 4):
    out = os.path.join(d, f"both{n}")
    r = mpirun_tessera(n, ["subband", "convert", "--in", inp, "--out", out, "--format", "both",
                           "--no-progress"])
    ms = glob.glob(os.path.join(out, "*.ms"))
    uv = glob.glob(os.path.join(out, "*.uvh5"))
    t.check(r.returncode == 0 and len(ms) == 1 and len(uv) == 1,
            f"--format both at {n} rank(s): one .ms and one .uvh5", (r.returncode, r.stderr[-1500:]))
    t.check(not [p for p in os.listdir(out) if ".tmp" in p], f"no temporaries at {n} rank(s)")
    outs[n] = (ms[0], uv[0]) if ms and uv else None


def tab(path, sub=None):
    return table(path + ("/" + sub if sub else ""), ack=False)


def everything(ms):
    """Every column of MAIN and of the subtables written, as numpy arrays."""
    got = {}
    for sub in (None, "ANTENNA", "SPECTRAL_WINDOW", "POLARIZATION", "FIELD", "DATA_DESCRIPTION",
                "OBSERVATION", "HISTORY"):
        tb = tab(ms, sub)
        for c in tb.colnames():
            if tb.iscelldefined(c, 0) if tb.nrows() else False:
                got[(sub, c)] = tb.getcol(c)
        tb.close()
    return got


if outs[1]:
    ms, uv = outs[1]
    main = tab(ms)
    f = h5py.File(uv, "r")
    H = f["Header"]
    nblts, nfreqs, npols = int(H["Nblts"][()]), int(H["Nfreqs"][()]), int(H["Npols"][()])
    t.check(main.nrows() == nblts, "MAIN has one row per UVH5 baseline-time", main.nrows())
    subs = set(main.getkeywords().keys())
    t.check({"ANTENNA", "SPECTRAL_WINDOW", "POLARIZATION", "FIELD", "DATA_DESCRIPTION",
             "OBSERVATION", "HISTORY"} <= subs, "subtables present", subs)
    data = main.getcol("DATA")
    t.check(data.shape == (nblts, nfreqs, npols) and data.dtype == np.complex64,
            "DATA (rows, channels, correlations) complex64", (data.shape, data.dtype))
    vis = f["Data/visdata"][()]
    # pyuvdata's write_ms (3.x, flip_conj): with every row ant_1 <= ant_2 it
    # stores conj(visibilities) and -uvw under the same antennas, and says so
    # in the keyword pyuvdata_flip_conj; Tessera's MS must read the same.
    a1, a2 = H["ant_1_array"][()], H["ant_2_array"][()]
    t.check(bool(np.all(a1 <= a2)), "the synthetic group has ant_1 <= ant_2 throughout")
    t.check(main.getkeyword("pyuvdata_flip_conj") is True or
            main.getkeyword("pyuvdata_flip_conj") == True,  # noqa: E712 (numpy bool)
            "MAIN keyword pyuvdata_flip_conj = True", main.getkeyword("pyuvdata_flip_conj"))
    t.check(np.array_equal(data, np.conj(vis)),
            "DATA = conj(UVH5 visdata), same order (pyuvdata's MS orientation)")
    flag = main.getcol("FLAG")
    t.check(flag.dtype == np.bool_ and np.array_equal(flag, f["Data/flags"][()]), "FLAG = UVH5 flags")
    for c in ("WEIGHT", "SIGMA"):
        w = main.getcol(c)
        t.check(w.shape == (nblts, npols) and w.dtype == np.float32, f"{c} (rows, corr) float32")
    uvw = main.getcol("UVW")
    t.check(uvw.dtype == np.float64 and np.array_equal(uvw, -H["uvw_array"][()]),
            "UVW = -UVH5 uvw_array (pos(ANTENNA1) - pos(ANTENNA2), as DATA is conjugated)")
    tm = main.getcol("TIME")
    t.check(np.allclose(tm, (H["time_array"][()] - 2400000.5) * 86400.0, rtol=0, atol=1e-6),
            "TIME = UTC MJD seconds of time_array")
    t.check(np.array_equal(main.getcol("INTERVAL"), H["integration_time"][()]), "INTERVAL")
    nums = list(H["antenna_numbers"][()])
    t.check(np.array_equal(main.getcol("ANTENNA1"), [nums.index(a) for a in H["ant_1_array"][()]])
            and np.array_equal(main.getcol("ANTENNA2"),
                               [nums.index(a) for a in H["ant_2_array"][()]]),
            "ANTENNA1/2 index the ANTENNA table")
    spw = tab(ms, "SPECTRAL_WINDOW")
    cf = spw.getcol("CHAN_FREQ")[0]
    t.check(np.all(np.diff(cf) > 0) and np.array_equal(cf, H["freq_array"][()]),
            "CHAN_FREQ ascending = freq_array")
    t.check(np.array_equal(spw.getcol("CHAN_WIDTH")[0], H["channel_width"][()]), "CHAN_WIDTH")
    pol = tab(ms, "POLARIZATION")
    want = {-5: 9, -6: 12, -7: 10, -8: 11}
    t.check(list(pol.getcol("CORR_TYPE")[0]) == [want[p] for p in H["polarization_array"][()]],
            "CORR_TYPE from the UVH5 polarization codes", pol.getcol("CORR_TYPE"))
    fld = tab(ms, "FIELD")
    pd = fld.getcol("PHASE_DIR")[0, 0]
    t.check(abs(pd[0] - H["phase_center_catalog/0/cat_lon"][()]) < 1e-12 and
            abs(pd[1] - H["phase_center_catalog/0/cat_lat"][()]) < 1e-12,
            "FIELD PHASE_DIR = the meridian phase centre", pd)
    t.check(fld.getcolkeywords("PHASE_DIR")["MEASINFO"]["Ref"] == "ICRS", "FIELD in ICRS")
    t.check(H["phase_center_catalog/0/cat_name"][()] == b"meridian", "UVH5 centre is the meridian")
    ant = tab(ms, "ANTENNA")
    site = EarthLocation.from_geodetic(lon=H["longitude"][()] * u.deg, lat=H["latitude"][()] * u.deg,
                                       height=H["altitude"][()] * u.m)
    xyz = np.array([site.x.to_value(u.m), site.y.to_value(u.m), site.z.to_value(u.m)])
    t.check(np.allclose(ant.getcol("POSITION") - xyz, H["antenna_positions"][()], atol=1e-6),
            "ANTENNA POSITION = site (WGS84, astropy) + UVH5 offsets")
    dd = tab(ms, "DATA_DESCRIPTION")
    t.check(dd.nrows() == 1 and dd.getcol("SPECTRAL_WINDOW_ID")[0] == 0, "DATA_DESCRIPTION")
    obs = tab(ms, "OBSERVATION")
    tr = obs.getcol("TIME_RANGE")[0]
    t.check(tr[0] <= tm.min() and tr[1] >= tm.max(), "OBSERVATION TIME_RANGE covers the data")
    hist = tab(ms, "HISTORY")
    t.check("tessera subband convert" in hist.getcol("MESSAGE")[0], "HISTORY message")
    f.close()

    ref = everything(ms)
    for n in (2, 4):
        if outs[n]:
            other = everything(outs[n][0])
            same = ref.keys() == other.keys() and all(np.array_equal(ref[k], other[k]) for k in ref)
            t.check(same, f"MS at {n} ranks identical to 1 rank",
                    [k for k in ref if k not in other or not np.array_equal(ref[k], other[k])][:5])

# --format ms: only the MS (and its fingerprint); a re-run skips it.
out = os.path.join(d, "msonly")
r = mpirun_tessera(2, ["subband", "convert", "--in", inp, "--out", out, "--format", "ms",
                       "--no-progress"])
t.check(r.returncode == 0 and sorted(os.listdir(out)) == sorted(
    [os.path.basename(outs[1][0]), os.path.basename(outs[1][0]) + ".fp"]) if outs[1] else False,
    "--format ms leaves only the MS and its fingerprint", os.listdir(out))
r = tessera(["subband", "convert", "--in", inp, "--out", out, "--format", "ms", "--no-progress"])
t.check(r.returncode == 0 and "up to date" in r.stderr, "re-run: the MS is up to date", r)
# A failing MS write (injected on rank 0): group fails, nothing under the final name.
out = os.path.join(d, "fail")
r = mpirun_tessera(2, ["subband", "convert", "--in", inp, "--out", out, "--format", "ms",
                       "--no-progress"], env={"TESSERA_FAULT": "subband.ms@0"})
t.check(r.returncode == 1 and "injected fault" in r.stderr, "injected MS failure: exit 1", r)
t.check(os.listdir(out) == [] if os.path.isdir(out) else True,
        "nothing left after a failed MS write", os.listdir(out) if os.path.isdir(out) else None)
# A failure while rank 0 writes another rank's subband (4 ranks, --format both):
# the senders do not wait forever, the group fails, neither output is left.
out = os.path.join(d, "failfeed")
r = mpirun_tessera(4, ["subband", "convert", "--in", inp, "--out", out, "--format", "both",
                       "--no-progress"], env={"TESSERA_FAULT": "subband.ms.feed@0"})
t.check(r.returncode == 1 and "injected fault" in r.stderr and "measurement set" in r.stderr,
        "injected failure feeding the MS at 4 ranks: exit 1, named", r)
left = os.listdir(out) if os.path.isdir(out) else []
t.check(left == [], "no MS, no UVH5 and no temporary left after a failed feed", left)
r = tessera(["subband", "convert", "--in", inp, "--out", out, "--format", "parquet",
             "--no-progress"])
t.check(r.returncode == 2 and "--format" in r.stderr, "--format parquet: exit 2", r)
t.done()
