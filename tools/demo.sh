#!/usr/bin/env bash
# README command 1: install what is missing, build, and run `tessera demo` on 2 ranks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
dir=$(bash tools/build.sh | tail -1)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
# One node: Open MPI's ob1 PML over shared memory starts ~0.2 s faster than UCX.
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
exec mpiexec -n 2 --oversubscribe "$dir/tessera" demo --out "$dir/demo" "$@"
