"""casacore is a module, not a dependency of the executable (issue 20): the
tessera executable's shared libraries (ldd, so transitively) include no
casacore, while tessera-ms.so beside it does; a --format ms run loads it.
Without the module (TESSERA_PLUGIN_DIR at an empty directory, or the
executable copied alone elsewhere), or with a broken one, --format ms fails
the group with a message naming every path tried and dlerror's text and
pointing at --format uvh5, leaves nothing under a final name, and --format
uvh5 in the same setting succeeds. An installed, then moved, prefix finds
the module in <libdir>/tessera and writes an MS."""
import glob
import os
import shutil
import subprocess

from tessera_test import EXE, TestRun, _ENV, scratch, tessera

t = TestRun("Measurement Set module")
work = scratch("ms_module")
BUILD = os.environ["TESSERA_BINARY_DIR"]
MODULE = os.path.join(os.path.dirname(EXE), "tessera-ms.so")


def ldd(path):
    r = subprocess.run(["ldd", path], capture_output=True, text=True)
    return r.stdout + r.stderr


def needed(path):
    r = subprocess.run(["readelf", "-d", path], capture_output=True, text=True)
    return [line.split("[", 1)[1].rstrip("]") for line in r.stdout.splitlines() if "(NEEDED)" in line]


# 1. Start-up maps no casacore: neither the executable's own NEEDED entries
#    nor anything ldd resolves from them.
exe_libs = ldd(EXE)
t.check("libcasa" not in exe_libs, "ldd tessera: no casacore library",
        [line.strip() for line in exe_libs.splitlines() if "casa" in line])
t.check(needed(EXE) and not [n for n in needed(EXE) if "casa" in n],
        "readelf NEEDED of tessera: no casacore", needed(EXE))
t.check(os.path.isfile(MODULE), "tessera-ms.so is built beside the executable", MODULE)
mod_libs = ldd(MODULE) if os.path.isfile(MODULE) else ""
t.check("libcasa_ms" in mod_libs and "not found" not in mod_libs,
        "the module links casacore and every library it needs resolves", mod_libs)
t.check(not [n for n in needed(MODULE) if "tessera" in n] if os.path.isfile(MODULE) else False,
        "the module links no Tessera library", needed(MODULE) if os.path.isfile(MODULE) else None)

inp = os.path.join(work, "in")
r = tessera(["synth", "subband", "--out", inp, "--scale", "tiny", "--no-progress"])
t.check(r.returncode == 0, "synth subband tiny", r)


def convert(exe, out, fmt, env=None):
    e = dict(_ENV)
    e.pop("TESSERA_PLUGIN_DIR", None)
    e.update(env or {})
    return subprocess.run([exe, "subband", "convert", "--in", inp, "--out", out, "--format", fmt,
                           "--no-progress"], capture_output=True, text=True, timeout=300, env=e)


def contents(d):
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


out = os.path.join(work, "ok")
r = convert(EXE, out, "ms")
t.check(r.returncode == 0 and glob.glob(os.path.join(out, "*.ms", "table.dat")),
        "--format ms from the build tree loads the module and writes the MS", (r.returncode, r.stderr[-1500:]))


def check_missing(what, env, exe=EXE, expect=()):
    """--format ms fails cleanly naming `expect`; --format uvh5 still works."""
    out = os.path.join(work, what.replace(" ", "_"), "ms")
    r = convert(exe, out, "ms", env)
    err = r.stderr
    t.check(r.returncode == 1, f"{what}: --format ms exits 1 (the group failed)", (r.returncode, err[-1500:]))
    t.check("cannot load the Measurement Set module tessera-ms.so" in err and
            "--format uvh5 needs no casacore" in err and "TESSERA_PLUGIN_DIR" in err,
            f"{what}: the error says what is missing, the override and that uvh5 needs no casacore",
            err[-1500:])
    for e in expect:
        t.check(e in err, f"{what}: the error names {e!r}", err[-1500:])
    t.check(contents(out) == [], f"{what}: nothing left in the output directory", contents(out))
    out = os.path.join(work, what.replace(" ", "_"), "uvh5")
    r = convert(exe, out, "uvh5", env)
    t.check(r.returncode == 0 and glob.glob(os.path.join(out, "*.uvh5")),
            f"{what}: --format uvh5 succeeds", (r.returncode, r.stderr[-1500:]))


empty = os.path.join(work, "empty")
os.makedirs(empty)
check_missing("override at an empty directory", {"TESSERA_PLUGIN_DIR": empty},
              expect=(os.path.join(empty, "tessera-ms.so") + ": cannot open shared object file",))

broken = os.path.join(work, "broken")
os.makedirs(broken)
with open(os.path.join(broken, "tessera-ms.so"), "wb") as f:
    f.write(b"not a shared object\n" * 64)
check_missing("a broken module", {"TESSERA_PLUGIN_DIR": broken},
              expect=(os.path.join(broken, "tessera-ms.so"), "invalid ELF header"))

# A real shared library that is not Tessera's module: loads, has no entry point.
libz = [line.split()[-1] for line in open("/proc/self/maps") if "/libz.so" in line]
if libz:
    other = os.path.join(work, "other")
    os.makedirs(other)
    shutil.copy(libz[0], os.path.join(other, "tessera-ms.so"))
    check_missing("a library without the entry point", {"TESSERA_PLUGIN_DIR": other},
                  expect=("no entry point tessera_ms_module",))
else:
    print("  skip: no libz mapped in this Python to stand in for a foreign library")

# The executable alone in another directory: every default place is named.
alone = os.path.join(work, "alone", "bin")
os.makedirs(alone)
shutil.copy(EXE, alone)
r = convert(os.path.join(alone, "tessera"), os.path.join(work, "alone", "probe"), "ms")
if r.returncode == 0:
    print("  skip: a tessera-ms.so is installed in the configured prefix; the copy found it")
else:
    check_missing("the executable copied alone", None, exe=os.path.join(alone, "tessera"),
                  expect=(os.path.join(alone, "tessera-ms.so"), os.path.join(work, "alone", "lib")))

# Installed and moved: the module is found in the moved prefix's <libdir>/tessera.
first = os.path.join(work, "prefix")
r = subprocess.run([os.environ.get("CMAKE_COMMAND", "cmake"), "--install", BUILD, "--prefix", first],
                   capture_output=True, text=True)
t.check(r.returncode == 0, "cmake --install succeeds", r.stderr[-1500:])
moved = os.path.join(work, "moved")
shutil.move(first, moved)
installed = glob.glob(os.path.join(moved, "lib*", "tessera", "tessera-ms.so")) + glob.glob(
    os.path.join(moved, "lib", "*", "tessera", "tessera-ms.so"))
t.check(len(installed) == 1, "the module is installed in <libdir>/tessera", installed)
t.check("libcasa" not in ldd(os.path.join(moved, "bin", "tessera")),
        "the installed executable links no casacore")
out = os.path.join(work, "installed")
r = convert(os.path.join(moved, "bin", "tessera"), out, "ms")
t.check(r.returncode == 0 and glob.glob(os.path.join(out, "*.ms", "table.dat")),
        "the moved install writes an MS with its own module", (r.returncode, r.stderr[-1500:]))
t.done()
