#!/usr/bin/env bash
# README command 2: install what is missing, build, and run the whole test suite.
# Extra arguments go to ctest (e.g. -L unit, -R healpix).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd build
exec ctest --output-on-failure -j2 --timeout 900 "$@"
