"""`cmake --install` gives a relocatable prefix: moved elsewhere, its tessera
finds its reference data beside it (not in this source tree), its Lmod
modulefile (share/modulefiles/tessera/<version>.lua) loaded under real Lmod
sets PATH and TESSERA_DATA_DIR and runs `tessera demo` on 2 ranks, and a
downstream CMake project finds the package and links tessera::core."""
import os
import shutil
import subprocess

from tessera_test import MPIEXEC, SOURCE_DIR, TestRun, _ENV, scratch

t = TestRun("install, module, package")
work = scratch("install")
BUILD = os.environ["TESSERA_BINARY_DIR"]
CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
LMOD_INIT = "/usr/share/lmod/lmod/init/bash"
# The build writes exactly one modulefile, named after the project version.
VERSION = os.listdir(os.path.join(BUILD, "modulefiles", "tessera"))[0].removesuffix(".lua")


def sh(script, timeout=600, cwd=None):
    e = dict(_ENV)
    for k in ("TESSERA_DATA_DIR", "TESSERA_EXE", "CMAKE_PREFIX_PATH"):
        e.pop(k, None)
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=timeout,
                          env=e, cwd=cwd or work)


first = os.path.join(work, "first")
r = subprocess.run([CMAKE, "--install", BUILD, "--prefix", first], capture_output=True, text=True)
t.check(r.returncode == 0, "cmake --install succeeds", r)
# Relocate: the prefix must not remember where it was installed.
prefix = os.path.join(work, "moved", "tessera")
os.makedirs(os.path.dirname(prefix))
shutil.move(first, prefix)
exe = os.path.join(prefix, "bin", "tessera")
mod = os.path.join(prefix, "share", "modulefiles", "tessera", f"{VERSION}.lua")
t.check(os.path.exists(mod), f"the modulefile is installed at share/modulefiles/tessera/{VERSION}.lua")
t.check(os.path.exists(os.path.join(prefix, "share", "tessera", "baltools", "PCA_Eigenvectors.fits")),
        "the reference data is installed")

r = sh(f"{exe} synth healpix --help")
t.check(os.path.join(prefix, "share", "tessera") in r.stdout and SOURCE_DIR + "/data" not in r.stdout,
        "moved prefix, no module: the default templates are the prefix's own", r.stdout[-600:])

if os.path.exists(LMOD_INIT):
    demo = os.path.join(work, "demo")
    r = sh(f"""set -e
source {LMOD_INIT}
module use {prefix}/share/modulefiles
module load tessera/{VERSION}
echo "which=$(command -v tessera)"
echo "data=$TESSERA_DATA_DIR"
{MPIEXEC} -n 2 --oversubscribe tessera demo --out {demo}
""", timeout=900)
    t.check(r.returncode == 0, "module load tessera; tessera demo on 2 ranks: exit 0", r)
    t.check(f"which={exe}" in r.stdout, "the module puts the installed tessera on PATH", r.stdout[:400])
    t.check(f"data={prefix}/share/tessera" in r.stdout, "the module sets TESSERA_DATA_DIR", r.stdout[:400])
    t.check("demo: all steps succeeded" in r.stdout, "the demo succeeds from the module", r.stdout[-800:])
    r = sh(f"source {LMOD_INIT}; module use {prefix}/share/modulefiles; module load tessera;"
           " module unload tessera; command -v tessera || echo gone")
    t.check("gone" in r.stdout, "module unload takes it off PATH again", r)
else:
    print(f"  skip: no Lmod ({LMOD_INIT}); tools/setup.sh installs it")

consumer_build = os.path.join(work, "consumer-build")
src = os.path.join(SOURCE_DIR, "tests", "integration", "consumer")
r = sh(f"{CMAKE} -S {src} -B {consumer_build} -G Ninja -DCMAKE_PREFIX_PATH={prefix} >/dev/null && "
       f"{CMAKE} --build {consumer_build}")
t.check(r.returncode == 0, "a downstream project configures and builds with find_package(tessera)", r)
r = sh(f"{MPIEXEC} -n 3 --oversubscribe {consumer_build}/consumer")
t.check(r.returncode == 0 and "consumer: 3 ranks, rank sum 6, displacements 0 3 4" in r.stdout,
        "it links tessera::core and runs on 3 ranks", r)
t.done()
