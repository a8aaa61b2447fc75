"""The PCA templates are found without configuration from the build tree, from
an installed prefix and from that prefix after it was moved; TESSERA_DATA_DIR
overrides them, and a data directory without them fails naming where it
looked (exit 3, no output)."""
import os
import shutil
import subprocess

from tessera_test import EXE, SOURCE_DIR, TestRun, scratch, tessera

t = TestRun("reference data directory")
work = scratch("data_dir")
TPL = os.path.join("baltools", "PCA_Eigenvectors.fits")


def default_templates(exe, env=None):
    e = dict(os.environ)
    e.pop("TESSERA_DATA_DIR", None)
    e.update(env or {})
    r = subprocess.run([exe, "synth", "healpix", "--help"], capture_output=True, text=True, env=e)
    for line in r.stdout.splitlines():
        if "--templates" in line:
            return line.split("(=", 1)[1].split(")", 1)[0]
    return None


build_tpl = default_templates(EXE)
t.check(build_tpl == os.path.join(SOURCE_DIR, "data", TPL), "a build-tree binary uses the repository's data/",
        build_tpl)

prefix = os.path.join(work, "prefix")
r = subprocess.run([os.environ["CMAKE_COMMAND"], "--install", os.environ["TESSERA_BINARY_DIR"], "--prefix",
                    prefix], capture_output=True, text=True)
t.check(r.returncode == 0, "cmake --install succeeds", r.stderr[-1500:])
t.check(os.path.isfile(os.path.join(prefix, "share", "tessera", TPL)) and
        os.path.isfile(os.path.join(prefix, "share", "tessera", "baltools", "LICENSE")),
        "the templates and their LICENSE are installed under share/tessera")
exe = os.path.join(prefix, "bin", "tessera")
t.check(default_templates(exe) == os.path.join(prefix, "share", "tessera", TPL),
        "the installed binary uses its prefix's share/tessera", default_templates(exe))

moved = os.path.join(work, "moved")
shutil.move(prefix, moved)
mexe = os.path.join(moved, "bin", "tessera")
t.check(default_templates(mexe) == os.path.join(moved, "share", "tessera", TPL),
        "after the prefix is moved, the binary uses the moved share/tessera", default_templates(mexe))
out = os.path.join(work, "synth")
r = subprocess.run([mexe, "synth", "healpix", "--out", out, "--scale", "tiny", "--no-progress"],
                   capture_output=True, text=True, env={k: v for k, v in os.environ.items()
                                                         if k != "TESSERA_DATA_DIR"})
t.check(r.returncode == 0 and os.path.isfile(os.path.join(out, "QSO_cat.fits")),
        "the moved install runs synth healpix with its own templates", r.stderr[-1500:])

own = os.path.join(work, "own")
os.makedirs(os.path.join(own, "baltools"))
shutil.copy(os.path.join(SOURCE_DIR, "data", TPL), os.path.join(own, TPL))
t.check(default_templates(mexe, {"TESSERA_DATA_DIR": own}) == os.path.join(own, TPL),
        "TESSERA_DATA_DIR overrides the installed data")

empty = os.path.join(work, "empty")
os.makedirs(empty)
out2 = os.path.join(work, "synth2")
r = tessera(["synth", "healpix", "--out", out2, "--scale", "tiny", "--no-progress"],
            env={"TESSERA_DATA_DIR": empty})
t.check(r.returncode == 3 and empty in r.stderr and "TESSERA_DATA_DIR" in r.stderr,
        "a data directory without the templates fails with exit 3 naming where it looked",
        (r.returncode, r.stderr[-800:]))
t.check(not os.path.exists(os.path.join(out2, "QSO_cat.fits")), "and writes no catalog")
t.done()
