#!/usr/bin/env bash
# Configures (first time) and builds Tessera in build/ with the default preset.
# Incremental and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f build/build.ninja ]]; then
  cmake --preset "${TESSERA_PRESET:-default}" >/tmp/tessera-configure.log 2>&1 || {
    cat /tmp/tessera-configure.log >&2
    exit 1
  }
fi
cmake --build build -j2
