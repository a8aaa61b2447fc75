#!/usr/bin/env bash
# The build directory of a configure preset in CMakePresets.json (its binaryDir,
# ${sourceDir} replaced by the checkout), so scripts never repeat the table.
set -euo pipefail
cd "$(dirname "$0")/.."
/usr/bin/python3 - "$1" <<'PY'
import json, os, sys
presets = {p["name"]: p for p in json.load(open("CMakePresets.json"))["configurePresets"]}
name = sys.argv[1]
if name not in presets:
    sys.exit(f"unknown preset '{name}'; one of: {', '.join(presets)}")
p = presets[name]
while "binaryDir" not in p:
    p = presets[p["inherits"]]
print(p["binaryDir"].replace("${sourceDir}", os.getcwd()))
PY
