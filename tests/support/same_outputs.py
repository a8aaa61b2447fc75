"""Value comparison of Tessera's outputs, for tests that run one step twice
(other rank counts, other launchers) and require identical results. Each
function returns a list of what differs (empty: identical)."""
import glob
import os

import numpy as np


def same_h5(a, b):
    """Every dataset of HDF5 file a has equal values in b (object times differ)."""
    import h5py
    diffs = []
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                if name not in fb or not np.array_equal(obj[()], fb[name][()]):
                    diffs.append(name)
        fa.visititems(visit)
    return diffs


def same_fits(a, b):
    """Every HDU's data bytes equal (headers may carry dates)."""
    from astropy.io import fits
    diffs = []
    with fits.open(a) as fa, fits.open(b) as fb:
        if len(fa) != len(fb):
            return ["HDU count"]
        for i, (ha, hb) in enumerate(zip(fa, fb)):
            if ha.data is None and hb.data is None:
                continue
            if ha.data is None or hb.data is None or ha.data.tobytes() != hb.data.tobytes():
                diffs.append(f"HDU {i}")
    return diffs


def same_nc(a, b):
    """Every NetCDF variable equal (NaN equal to NaN)."""
    import netCDF4
    diffs = []
    with netCDF4.Dataset(a) as fa, netCDF4.Dataset(b) as fb:
        for name, v in fa.variables.items():
            if name not in fb.variables or not np.array_equal(v[...], fb.variables[name][...],
                                                              equal_nan=True):
                diffs.append(name)
    return diffs


def same_las(a, b):
    """Byte-identical but for the header's creation day and year (bytes 90-93)."""
    da, db = open(a, "rb").read(), open(b, "rb").read()
    return [] if len(da) == len(db) and da[:90] == db[:90] and da[94:] == db[94:] else ["bytes"]


def same_bytes(a, b):
    return [] if open(a, "rb").read() == open(b, "rb").read() else ["bytes"]


def files(root, pattern):
    return sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, pattern), recursive=True))


def compare_trees(t, what, root_a, root_b, pattern, same):
    """TestRun checks: the same files under both roots, each identical by `same`."""
    fa, fb = files(root_a, pattern), files(root_b, pattern)
    if not t.check(fa and fa == fb, f"{what}: the same {len(fa)} file(s) {pattern}", (fa, fb)):
        return
    bad = {f: d for f in fa if (d := same(os.path.join(root_a, f), os.path.join(root_b, f)))}
    t.check(not bad, f"{what}: every file identical", bad)
