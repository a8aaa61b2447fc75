"""The build recipes users run agree with what CI tests: spack.yaml parses
and every spec is a string (a spec ending in ':' left unquoted is a YAML
mapping), the Spack recipe's default build_type is one CI builds, and
.ci/run builds the presets that give those build types."""
import ast
import json
import os
import re

import yaml

from tessera_test import SOURCE_DIR, TestRun

t = TestRun("build recipes")
env = yaml.safe_load(open(os.path.join(SOURCE_DIR, "spack.yaml")))
specs = env["spack"]["specs"]
t.check(all(isinstance(s, str) for s in specs), "every spec in spack.yaml is a string",
        [s for s in specs if not isinstance(s, str)])

presets = {p["name"]: p for p in json.load(open(os.path.join(SOURCE_DIR, "CMakePresets.json")))["configurePresets"]}


def build_type(name):
    p = presets[name]
    while "CMAKE_BUILD_TYPE" not in p.get("cacheVariables", {}):
        p = presets[p["inherits"]]
    return p["cacheVariables"]["CMAKE_BUILD_TYPE"]


ci = open(os.path.join(SOURCE_DIR, ".ci", "run")).read()
m = re.search(r'TESSERA_CI_PRESETS:-([^}]*)\}', ci)
ci_presets = m.group(1).split() if m else []
ci_types = {build_type(p) for p in ci_presets}
t.check({"Release", "RelWithDebInfo"} <= ci_types, "CI builds Release and RelWithDebInfo", ci_presets)

recipe = open(os.path.join(SOURCE_DIR, "spack", "packages", "tessera", "package.py")).read()
default = None
for node in ast.walk(ast.parse(recipe)):
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "variant" and node.args and \
            getattr(node.args[0], "value", None) == "build_type":
        default = next(k.value.value for k in node.keywords if k.arg == "default")
t.check(default in ci_types, "the Spack recipe's default build_type is one CI tests", (default, ci_types))
t.done()
