#!/usr/bin/env bash
# Runs tessera under mpiexec on this machine with the settings every local run needs.
#
#   jobscripts/local/run.sh [-n RANKS] [-t THREADS] [--] TESSERA ARGS ...
#   jobscripts/local/run.sh -n 4 check workload --items 2000 --perf-report /tmp/w.json
#
#   -n RANKS    MPI ranks (default 2); more ranks than cores is allowed (--oversubscribe)
#   -t THREADS  OpenMP threads per rank (default 1), also passed as --threads
#
# The executable is $TESSERA_EXE, else <checkout>/build/tessera. Open MPI refuses
# to run as root without OMPI_ALLOW_RUN_AS_ROOT{,_CONFIRM}; they are set here
# (harmless for other users). With threads > 1 ranks are not bound to one core,
# so their threads can spread.
set -euo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ranks=2
threads=1
while (($#)); do
  case $1 in
    -n) ranks=$2; shift 2 ;;
    -t) threads=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
(($#)) || { echo "run.sh: give the tessera command, e.g. run.sh -n 2 demo" >&2; exit 2; }

exe=${TESSERA_EXE:-$source_dir/build/tessera}
[[ -x $exe ]] || { echo "run.sh: no executable at $exe (build it, or set TESSERA_EXE)" >&2; exit 2; }

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One node: Open MPI's ob1 PML over shared memory starts ~0.2 s faster than UCX
# (which probes for network devices); set OMPI_MCA_pml yourself to override.
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
export OMP_NUM_THREADS=$threads
bind=()
((threads > 1)) && bind=(--bind-to none)
extra=()
((threads > 1)) && extra=(--threads "$threads")

exec "${MPIEXEC:-mpiexec}" -n "$ranks" --oversubscribe "${bind[@]}" "$exe" "$@" "${extra[@]}"
