"""The Spack recipe against a real Spack, where one is installed (SPACK_ROOT, or
`spack` on PATH); elsewhere a skip line and one trivial check.

In a throw-away environment holding spack/ (the tessera repository) and
spack/debian12/packages.yaml (Debian 12's libraries as externals):

  1. through Spack's own Python API (`spack python`, no concretizer needed):
     the recipe loads, every dependency it names is a package or a virtual of
     Spack's repositories, every variant it asks of a dependency (hdf5+mpi,
     boost+program_options, gdal+geos+sqlite3, ...) is a variant of that
     package, every version range meets a version Spack knows or the external
     one, and every external's variants are variants of its package;
  2. when the Python running Spack can import clingo, `spack spec
     tessera@main+tests` concretizes with every dependency external (`[e]`;
     gcc-runtime, which Spack always builds, aside), build_type=Release,
     hdf5+mpi, openmpi as the MPI and Debian's catch2 v2.

Spack runs with SPACK_PYTHON if set, else this Python; its user configuration
is a scratch directory (no ~/.spack is read or written) but its user cache is
the usual one (a fresh one costs minutes of package indexing).
docs/spack-run.md shows the same commands run by hand."""
import os
import shutil
import subprocess
import sys
import tempfile

from tessera_test import SOURCE_DIR, TestRun

t = TestRun("spack recipe")


def find_spack():
    root = os.environ.get("SPACK_ROOT")
    if root and os.access(os.path.join(root, "bin", "spack"), os.X_OK):
        return os.path.join(root, "bin", "spack")
    return shutil.which("spack")


CHECK = r'''
import sys
import spack
import spack.config
import spack.repo
import spack.spec
import spack.version

problems = []
repo = spack.repo.PATH
names_seen = []


def exists(name):
    return repo.is_virtual(name) or repo.exists(name)


def variant_names(cls):
    if hasattr(cls, "variant_names"):
        return set(cls.variant_names())
    return set(cls.variants)


externals = {}
for name, entry in (spack.config.get("packages") or {}).items():
    for ext in entry.get("externals", []) or []:
        s = spack.spec.Spec(ext["spec"])
        externals.setdefault(s.name, []).append(s)
        if not repo.exists(s.name):
            problems.append(f"external {ext['spec']}: no package {s.name}")
            continue
        bad = set(s.variants) - variant_names(repo.get_pkg_class(s.name))
        if bad:
            problems.append(f"external {s.name}: no variant(s) {sorted(bad)}")

tessera = repo.get_pkg_class("tessera")
default = None
for key, value in tessera.variants.items():
    if isinstance(value, dict) and "build_type" in value:  # Spack 0.22 and later
        default = value["build_type"].default
    elif key == "build_type":                              # older: name -> (variant, when)
        default = (value[0] if isinstance(value, tuple) else value).default
print("build_type default:", default)
if default != "Release":
    problems.append(f"variant build_type: default {default!r}, not Release")

deps = []
for when, by_name in tessera.dependencies.items():
    for name, dep in by_name.items():
        deps.append((str(when), dep.spec))
for when, spec in deps:
    name = spec.name
    names_seen.append(name)
    if not exists(name):
        problems.append(f"depends_on({spec}): no package or virtual named {name!r}")
        continue
    if repo.is_virtual(name):
        continue
    cls = repo.get_pkg_class(name)
    if not cls.versions and not externals.get(name):
        # e.g. depends_on("c") in a Spack whose `c` is a placeholder package
        # (no versions, no providers) rather than the language virtual
        problems.append(f"depends_on({spec}): {name} has no versions and no external: "
                        "it cannot be concretized")
        continue
    bad = set(spec.variants) - variant_names(cls)
    if bad:
        problems.append(f"depends_on({spec}): {name} has no variant(s) {sorted(bad)}")
    if not spec.versions.concrete and str(spec.versions) != ":":
        known = [spack.version.VersionList([v]) for v in cls.versions]
        known += [e.versions for e in externals.get(name, [])]
        if not any(spec.versions.intersects(v) for v in known):
            problems.append(f"depends_on({spec}): no known or external version of {name} in range")
    for ext in externals.get(name, []):
        # an external must satisfy the recipe's constraint (else concretization refuses it)
        if not ext.intersects(spec):
            problems.append(f"depends_on({spec}): the external {ext} does not meet it")

print("spack:", spack.spack_version, "python:", sys.executable)
try:
    import clingo  # what Spack's solver imports; no bootstrap attempted here
    print("clingo:", clingo.__version__)
except ImportError:
    print("clingo: none")
print("dependencies:", " ".join(sorted(set(names_seen))))
print("externals:", len(externals))
for p in problems:
    print("PROBLEM:", p)
sys.exit(1 if problems else 0)
'''


spack = find_spack()
if spack is None:
    print("  skip: no Spack here (set SPACK_ROOT or put `spack` on PATH)")
    t.check(True, "skipped without Spack")
    t.done()

work = tempfile.mkdtemp(prefix="tessera-spack-")
env_dir = os.path.join(work, "env")
os.makedirs(env_dir)
recipe_repo = os.path.join(SOURCE_DIR, "spack")
externals = os.path.join(recipe_repo, "debian12", "packages.yaml")
with open(os.path.join(env_dir, "spack.yaml"), "w") as f:
    f.write("spack:\n"
            "  specs: []\n"
            f"  repos: [{recipe_repo}]\n"
            f"  include: [{externals}]\n"
            "  view: false\n")
check_py = os.path.join(work, "check.py")
with open(check_py, "w") as f:
    f.write(CHECK)

e = dict(os.environ)
e.setdefault("SPACK_PYTHON", sys.executable)
e["SPACK_USER_CONFIG_PATH"] = os.path.join(work, "user-config")
e["SPACK_DISABLE_LOCAL_CONFIG"] = "1"


def spack_run(args, timeout=300):
    return subprocess.run([spack, "-e", env_dir] + args, capture_output=True, text=True,
                          env=e, timeout=timeout)


try:
    r = spack_run(["python", check_py])
    print("       " + "\n       ".join(r.stdout.strip().splitlines()))
    t.check(r.returncode == 0, "the recipe's dependency names, variants and versions exist in "
            "Spack's repositories and the externals meet them", r)

    if "clingo: " not in r.stdout or "clingo: none" in r.stdout:
        print("  skip: the Python running Spack cannot import clingo (offline: no bootstrap); "
              "concretization not checked")
    else:
        # one solve (about a minute on a loaded 2-core machine): +tests has every
        # dependency of the default spec plus catch2 and the Python tools
        spec = "tessera@main+tests"
        r = spack_run(["spec", "-I", spec], timeout=600)
        t.check(r.returncode == 0, f"`spack spec {spec}` concretizes against the externals", r)
        if r.returncode == 0:
            lines = [ln for ln in r.stdout.split("Concretized", 1)[-1].splitlines() if "@" in ln]
            # gcc-runtime is Spack's copy of the compiler's runtime libraries: always built
            built = [ln.split("%")[0].strip() for ln in lines
                     if "[e]" not in ln and "tessera@" not in ln and "gcc-runtime@" not in ln]
            t.check(not built, f"{spec}: every dependency but gcc-runtime is an external", built)
            root = next((ln for ln in lines if "tessera@" in ln), "")
            t.check("build_type=Release" in root, f"{spec}: build_type=Release by default", root)
            t.check(any("hdf5@1.10.8" in ln and "+mpi" in ln for ln in lines) and
                    any("openmpi@4.1.4" in ln for ln in lines) and
                    any("catch2@2.13" in ln for ln in lines),
                    f"{spec}: the external hdf5+mpi, openmpi and catch2 v2 in the DAG",
                    r.stdout[-3000:])
finally:
    shutil.rmtree(work, ignore_errors=True)
t.done()
