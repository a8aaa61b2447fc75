#!/usr/bin/env bash
# Runs tessera with the settings every local or Slurm run needs.
#
#   jobscripts/local/run.sh [-n RANKS] [-t THREADS] [--] TESSERA ARGS ...
#   jobscripts/local/run.sh -n 4 check workload --items 2000 --perf-report /tmp/w.json
#   sbatch -n 4 jobscripts/local/run.sh check workload --items 2000
#
#   -n RANKS    MPI ranks (default 2; inside a Slurm job, the job's task count)
#   -t THREADS  OpenMP threads per rank (default 1), also passed as --threads
#
# Outside Slurm: mpiexec with --oversubscribe (more ranks than cores is fine).
# Inside a Slurm job (sbatch or salloc): srun --mpi=pmix with --cpus-per-task
# of THREADS x hardware threads per core (TESSERA_LAUNCHER=mpiexec forces
# mpiexec). The executable is $TESSERA_EXE, else <checkout>/build/tessera,
# else build-release/tessera, else `tessera` on PATH. Open MPI refuses to run
# as root without OMPI_ALLOW_RUN_AS_ROOT{,_CONFIRM}; they are set here
# (harmless for other users). With threads > 1 ranks are not bound to one
# core, so their threads can spread.
set -euo pipefail

me=${BASH_SOURCE[0]}
# sbatch runs a spool copy: the checkout is found from the submitted path.
[[ $me == */slurm_script ]] && me=$(scontrol show job "$SLURM_JOB_ID" | sed -n 's/^ *Command=\([^ ]*\).*/\1/p')
source_dir=${TESSERA_SOURCE:-$(cd "$(dirname "$me")/../.." && pwd)}
# shellcheck source=../lib/slurm.sh
source "$source_dir/jobscripts/lib/slurm.sh" ||
  { echo "run.sh: no Tessera checkout at $source_dir: export TESSERA_SOURCE" >&2; exit 2; }
ranks=""
threads=1
while (($#)); do
  case $1 in
    -n) ranks=$2; shift 2 ;;
    -t) threads=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$me" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
(($#)) || { echo "run.sh: give the tessera command, e.g. run.sh -n 2 demo" >&2; exit 2; }

exe=${TESSERA_EXE:-}
if [[ -z $exe ]]; then
  for b in build build-release; do
    [[ -x $source_dir/$b/tessera ]] && exe=$source_dir/$b/tessera && break
  done
  [[ -z $exe ]] && exe=$(command -v tessera || true)
fi
[[ -n $exe && -x $exe ]] || { echo "run.sh: no tessera executable (build it, or set TESSERA_EXE)" >&2; exit 2; }

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One node: Open MPI's ob1 PML over shared memory starts ~0.2 s faster than UCX
# (which probes for network devices); set OMPI_MCA_pml yourself to override.
[[ -z ${SLURM_JOB_NUM_NODES:-} || ${SLURM_JOB_NUM_NODES:-1} == 1 ]] && export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
export OMP_NUM_THREADS=$threads
extra=()
((threads > 1)) && extra=(--threads "$threads")

if [[ -n ${SLURM_JOB_ID:-} && ${TESSERA_LAUNCHER:-srun} == srun ]] && command -v srun >/dev/null; then
  ntasks=()
  [[ -n $ranks ]] && ntasks=(-n "$ranks")
  cpt=$((threads * $(tessera_threads_per_core)))
  tessera_yield_if_oversubscribed
  # shellcheck disable=SC2046
  exec srun $(tessera_srun_mpi) "${ntasks[@]}" --cpus-per-task="$cpt" --cpu-bind=cores \
    "$exe" "$@" "${extra[@]}"
fi
bind=()
((threads > 1)) && bind=(--bind-to none)
exec "${MPIEXEC:-mpiexec}" -n "${ranks:-2}" --oversubscribe "${bind[@]}" "$exe" "$@" "${extra[@]}"
