"""Bad input to every tiles command (dod, c2c, m3c2, align, info, convert) at 2
ranks: the exact exit code, a message naming the file (or option) and saying
what is wrong, and no output or temporary left. Damaged and mistaken inputs:
missing, empty, truncated, a directory, another format, NaN bounds, epochs in
different CRSs, no point of the chosen class, invalid option values, an output
path below a regular file. Recorded for docs/reliability.md (bad_input.py)."""
import os
import struct

from bad_input import BadInputs
from tessera_test import TEST_DATA, TestRun, mpirun_tessera, scratch

t = TestRun("tiles bad input")
b = BadInputs(t, "tiles")
work = scratch("tiles_bad_input")
syn = os.path.join(work, "syn")
r = mpirun_tessera(2, ["synth", "tiles", "--out", syn, "--scale", "tiny", "--no-progress"])
if not t.check(r.returncode == 0, "synth tiles tiny", r):
    t.done()
A, B = os.path.join(syn, "A.las"), os.path.join(syn, "B.las")
raw_b = open(B, "rb").read()
bad = os.path.join(work, "bad")
os.makedirs(bad)
outs = os.path.join(work, "out")
os.makedirs(outs)


def write(name, data):
    p = os.path.join(bad, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def patched(data, off, fmt, *vals):
    d = bytearray(data)
    struct.pack_into(fmt, d, off, *vals)
    return bytes(d)


def other_utm_zone(data):
    """B's WKT VLR (synth writes WGS 84 / UTM zone 11N) turned into zone 10N,
    byte for byte the same length: same unit, another CRS."""
    for old, new in ((b"UTM zone 11N", b"UTM zone 10N"), (b"-117", b"-123"), (b"32611", b"32610")):
        assert old in data, old
        data = data.replace(old, new)
    return data


def step(ranks, args):
    return mpirun_tessera(ranks, args + ["--no-progress"])


def pair(step_name, a, b_path, out, *opts):
    r = step(2, ["tiles", step_name, "--a", a, "--b", b_path, "--out", out, *opts])
    return r


missing = os.path.join(bad, "epoch_a_2019.las")  # never written
empty = write("empty.las", b"")
fits = os.path.join(TEST_DATA, "desi", "targets.fits")
truncated = write("truncated.las", raw_b[: len(raw_b) // 2])
nan_bounds = write("nan_bounds.las", patched(raw_b, 179, "<d", float("nan")))  # max x
zone10 = write("utm10.las", other_utm_zone(raw_b))
a_dir = os.path.join(bad, "dir.las")
os.makedirs(a_dir)
version2 = write("version2.las", patched(raw_b, 24, "<BB", 2, 0))
blocker = write("a_file", b"")


def o(name):
    return os.path.join(outs, name)


# --- dod -----------------------------------------------------------------
r = pair("dod", missing, B, o("dod1.tif"))
b.case("dod", "epoch A does not exist", r, 3, [missing], "No such file or directory",
       absent=[o("dod1.tif*")], dirs=[outs])
r = pair("dod", A, empty, o("dod2.tif"))
b.case("dod", "epoch B is an empty file", r, 3, [empty], "too small for a LAS header",
       absent=[o("dod2.tif*")], dirs=[outs])
r = pair("dod", fits, B, o("dod3.tif"))
b.case("dod", "epoch A is a FITS catalog", r, 3, [fits], "not a LAS file",
       absent=[o("dod3.tif*")], dirs=[outs])
r = pair("dod", A, truncated, o("dod4.tif"))
b.case("dod", "epoch B truncated to half", r, 3, [truncated], "file truncated",
       absent=[o("dod4.tif*")], dirs=[outs])
r = pair("dod", A, nan_bounds, o("dod5.tif"))
b.case("dod", "epoch B's header bounds hold NaN", r, 3, [nan_bounds], "bounds [",
       absent=[o("dod5.tif*")], dirs=[outs])
r = pair("dod", A, zone10, o("dod6.tif"))
b.case("dod", "epochs in different CRSs, same unit (UTM 11N, 10N)", r, 2, [A, zone10],
       "reproject one", absent=[o("dod6.tif*")], dirs=[outs])
r = pair("dod", A, B, o("dod7.tif"), "--cell", "-1")
b.case("dod", "--cell -1", r, 2, ["--cell"], "must be > 0", absent=[o("dod7.tif*")], dirs=[outs])
r = pair("dod", A, B, o("dod8.tif"), "--aggregate", "mode")
b.case("dod", "--aggregate mode (unknown)", r, 2, ["--aggregate", "mode"], "must be mean",
       absent=[o("dod8.tif*")], dirs=[outs])
# --- c2c -----------------------------------------------------------------
r = pair("c2c", A, a_dir, o("c2c1.las"))
b.case("c2c", "epoch B is a directory", r, 3, [a_dir], "Is a directory",
       absent=[o("c2c1.las*")], dirs=[outs])
r = pair("c2c", A, B, o("c2c2.las"), "--max-dist", "-5")
b.case("c2c", "--max-dist -5", r, 2, ["--max-dist"], "must be > 0", absent=[o("c2c2.las*")],
       dirs=[outs])
r = pair("c2c", A, B, os.path.join(blocker, "c2c.las"))
b.case("c2c", "--out below a regular file", r, 3, [blocker], "Not a directory",
       dirs=[outs, bad])
# --- m3c2 ----------------------------------------------------------------
r = pair("m3c2", A, B, o("m3c2_1.las"), "--normal-radius", "abc")
b.case("m3c2", "--normal-radius abc", r, 2, ["--normal-radius", "abc"], "is not a number",
       absent=[o("m3c2_1.las*")], dirs=[outs])
r = pair("m3c2", A, B, o("m3c2_2.las"), "--classes", "9")
b.case("m3c2", "no point of --classes 9 (zero points)", r, 3, [A], "is empty",
       absent=[o("m3c2_2.las*")], dirs=[outs])
# --- align ---------------------------------------------------------------
r = pair("align", A, version2, o("al1.las"))
b.case("align", "epoch B says LAS 2.0", r, 3, [version2], "unsupported LAS version",
       absent=[o("al1.las*")], dirs=[outs])
r = pair("align", A, B, o("al2.las"), "--classes", "ground")
b.case("align", "--classes ground (not a code)", r, 2, ["--classes", "ground"],
       "is not a class code", absent=[o("al2.las*")], dirs=[outs])
# --- info ----------------------------------------------------------------
r = step(2, ["tiles", "info", a_dir, "--json", o("info1.json")])
b.case("info", "a directory given as the LAS file", r, 3, [a_dir], "Is a directory",
       absent=[o("info1.json*")], dirs=[outs])
r = step(2, ["tiles", "info", A, fits, "--json", o("info2.json")])
b.case("info", "second file is a FITS catalog", r, 3, [fits], "not a LAS file",
       absent=[o("info2.json*")], dirs=[outs])
# --- convert -------------------------------------------------------------
r = step(2, ["tiles", "convert", A, o("A.txt")])
b.case("convert", "output extension .txt (neither .las nor .laz)", r, 2, [o("A.txt")],
       ".las or .laz", absent=[o("A.txt*")], dirs=[outs])
clipped = os.path.join(TEST_DATA, "pdal", "1.2-with-color-clipped.las")
r = step(2, ["tiles", "convert", clipped, o("clipped.laz")])
b.case("convert", "input truncated (PDAL's 1.2-with-color-clipped.las)", r, 3, [clipped],
       "file truncated", absent=[o("clipped.laz*")], dirs=[outs])
r = step(2, ["tiles", "convert", A, o("A.laz"), "--chunk-size", "0"])
b.case("convert", "--chunk-size 0", r, 2, ["--chunk-size"], "at least 1",
       absent=[o("A.laz*")], dirs=[outs])
b.done()
t.done()
