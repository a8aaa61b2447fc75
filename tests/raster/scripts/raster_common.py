"""Shared helpers for the raster script tests: synthetic inputs, FSM reading."""
import glob
import os

import numpy as np

from tessera_test import tessera, mpirun_tessera, scratch  # noqa: F401

VARS = {"swe": ("SWE", -3), "snd": ("HS", -4), "rof": ("ROF", -5), "gst": ("GST", -2)}


def synth(name, scale="tiny"):
    d = scratch(name)
    r = tessera(["synth", "raster", "--out", os.path.join(d, "in"), "--scale", scale,
                 "--no-progress"])
    assert r.returncode == 0, r.stderr
    return d, os.path.join(d, "in")


def read_fsm_table(fsm_dir):
    """{var: array [cluster, day]} parsed independently with numpy (columns from the end)."""
    files = sorted(glob.glob(os.path.join(fsm_dir, "sim_FSM_pt_*.txt")),
                   key=lambda p: int(os.path.basename(p)[11:-4]))
    data = [np.loadtxt(f, ndmin=2) for f in files]
    return {v: np.stack([d[:, col] for d in data]) for v, (_, col) in VARS.items()}, data[0][0, :3]


def grid_file(d, var):
    hits = glob.glob(os.path.join(d, f"*_{VARS[var][0]}.nc"))
    assert len(hits) == 1, hits
    return hits[0]
