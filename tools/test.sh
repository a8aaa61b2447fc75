#!/usr/bin/env bash
# README command 2: install what is missing, build, and run the whole test suite.
# TESSERA_PRESET chooses the build (default `default`; CI runs `ci` and
# `release`). Extra arguments go to ctest (e.g. -L unit, -R healpix).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
dir=$(bash tools/build.sh | tail -1)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "$dir"
exec ctest --output-on-failure -j2 --timeout 900 "$@"
