#!/usr/bin/env bash
# Configures (first time) and builds Tessera with a CMake preset: TESSERA_PRESET
# (default `default`; `ci`, `release`, `asan`, `tsan`: see CMakePresets.json).
# Prints the build directory on its last line. Incremental and quick when
# nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${TESSERA_PRESET:-default}
dir=$(bash tools/preset_dir.sh "$preset")
if [[ ! -f $dir/build.ninja ]]; then
  log=$(mktemp /tmp/tessera-configure.XXXXXX.log)
  cmake --preset "$preset" >"$log" 2>&1 || {
    cat "$log" >&2
    exit 1
  }
fi
cmake --build "$dir" -j2 >&2
echo "$dir"
