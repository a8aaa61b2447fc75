# shellcheck shell=bash
# Shared settings for Tessera jobs. Written for NERSC Perlmutter CPU nodes and
# runnable on any Slurm cluster (jobscripts/README.md). Every
# jobscripts/perlmutter/*.sbatch sources it after its #SBATCH lines through a
# short block that finds it beside the submitted script (sbatch runs a spool
# copy), or in $TESSERA_SOURCE.
#
# After sourcing, a job has:
#   $TESSERA_SOURCE   the checkout
#   $TESSERA          the executable
#   $TESSERA_RUN_DIR  a fresh run directory for this job's outputs
#   $TESSERA_SCALE    the scale of synthetic inputs (large on Perlmutter, else small)
#   tessera_srun ARGS...       srun with the job's ranks, CPUs per rank, binding and --mpi
#   tessera_stripe DIR [COUNT] Lustre striping for a directory of shared files (no-op off Lustre)
#   tessera_report REPORT.json compare a perf report with $TESSERA_BASELINE, when set
#
# Environment knobs (export before sbatch; sbatch passes the environment on):
#   TESSERA_ENV=modules|spack|none  how dependencies are found (default: modules
#                              when a `module` command exists, else none)
#   TESSERA_MODULES="..."      modules to load (default on Perlmutter: PrgEnv-gnu
#                              cray-mpich cray-hdf5-parallel cray-netcdf-hdf5parallel
#                              cray-parallel-netcdf;
#                              elsewhere none; e.g. "tessera" for the installed module)
#   TESSERA_SPACK_ENV=DIR      Spack environment for TESSERA_ENV=spack
#   TESSERA_EXE=PATH           the executable (default: $TESSERA_BUILD/tessera, else
#                              `tessera` on PATH, else build-perlmutter/, build-release/, build/)
#   TESSERA_RUN_ROOT=DIR       where run directories go (default $PSCRATCH/tessera,
#                              else $SCRATCH/tessera, else <submit dir>/tessera-runs)
#   TESSERA_THREADS=N          OpenMP threads per rank (default 1)
#   TESSERA_SCALE=S            synthetic input scale (each .sbatch lists its scales)
#   TESSERA_SRUN_MPI=P         srun --mpi plugin (default pmix; Perlmutter: site default)
#   TESSERA_BASELINE=FILE      a baseline perf report to compare each step with

set -euo pipefail

: "${TESSERA_SOURCE:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export TESSERA_SOURCE
# shellcheck source=../lib/slurm.sh
source "$TESSERA_SOURCE/jobscripts/lib/slurm.sh"
: "${TESSERA_THREADS:=1}"
on_perlmutter=false
[[ ${NERSC_HOST:-} == perlmutter ]] && on_perlmutter=true

# --- dependencies ------------------------------------------------------------
# Loading in the job the modules the build used makes the run use the same
# libraries. A missing `module` command or module is a warning, not a failure:
# the executable check below says whether the job can run.
# (Lmod and Spack's shell support read unset variables: relax -u around them.)
set +u
if ! type module >/dev/null 2>&1; then
  for init in "${LMOD_PKG:-/usr/share/lmod/lmod}/init/bash" /etc/profile.d/lmod.sh; do
    # shellcheck disable=SC1090
    [[ -r $init ]] && source "$init" && break
  done
fi
if [[ -z ${TESSERA_ENV:-} ]]; then
  TESSERA_ENV=none
  type module >/dev/null 2>&1 && TESSERA_ENV=modules
fi
if [[ -z ${TESSERA_MODULES+set} ]]; then
  TESSERA_MODULES=""
  $on_perlmutter && TESSERA_MODULES="PrgEnv-gnu cray-mpich cray-hdf5-parallel cray-netcdf-hdf5parallel cray-parallel-netcdf"
fi
case $TESSERA_ENV in
  spack)
    : "${TESSERA_SPACK_ENV:=$TESSERA_SOURCE}"
    # shellcheck disable=SC1091
    source "${SPACK_ROOT:?set SPACK_ROOT to use TESSERA_ENV=spack}/share/spack/setup-env.sh"
    spack env activate "$TESSERA_SPACK_ENV"
    ;;
  modules)
    for m in $TESSERA_MODULES; do
      module load "$m" || echo "common.sh: warning: 'module load $m' failed; going on" >&2
    done
    # Libraries without a Cray module (HEALPix C++, CFITSIO, ERFA, GDAL, ...)
    # may come from a Spack view: point TESSERA_DEPS_VIEW at it.
    if [[ -n ${TESSERA_DEPS_VIEW:-} ]]; then
      export LD_LIBRARY_PATH="$TESSERA_DEPS_VIEW/lib:$TESSERA_DEPS_VIEW/lib64:${LD_LIBRARY_PATH:-}"
    fi
    ;;
  none) ;;
  *)
    echo "common.sh: TESSERA_ENV=$TESSERA_ENV: use modules, spack or none" >&2
    exit 2
    ;;
esac
set -u

# --- the executable ----------------------------------------------------------------
if [[ -n ${TESSERA_EXE:-} ]]; then
  TESSERA=$TESSERA_EXE
elif [[ -n ${TESSERA_BUILD:-} ]]; then
  TESSERA=$TESSERA_BUILD/tessera
elif command -v tessera >/dev/null; then
  TESSERA=$(command -v tessera)
else
  TESSERA=""
  for b in build-perlmutter build-release build; do
    [[ -x $TESSERA_SOURCE/$b/tessera ]] && TESSERA=$TESSERA_SOURCE/$b/tessera && break
  done
fi
if [[ -z $TESSERA || ! -x $TESSERA ]]; then
  echo "common.sh: no tessera executable (${TESSERA:-none found}); build it (docs/install.md)," \
       "load its module, or set TESSERA_EXE" >&2
  exit 2
fi

# --- CPU placement ---------------------------------------------------------------
# Slurm's CPUs are hardware threads: a rank owning T cores needs -c T x
# (threads per core): -c 2 per core on Perlmutter's CPU nodes, -c 1 where
# cores have one thread. An explicit --cpus-per-task in the job wins.
export OMP_NUM_THREADS="$TESSERA_THREADS"
export OMP_PLACES=threads
export OMP_PROC_BIND=spread
TESSERA_CPUS_PER_TASK="${SLURM_CPUS_PER_TASK:-$((TESSERA_THREADS * $(tessera_threads_per_core)))}"

# --- MPI-IO and HDF5 on Lustre ------------------------------------------------------
# Collective buffering for the shared HDF5/NetCDF outputs; file locking is off
# for HDF5 (Lustre locking through HDF5 only slows and can fail).
export MPICH_MPIIO_HINTS="${MPICH_MPIIO_HINTS:-*:romio_cb_write=enable:romio_ds_write=disable}"
export HDF5_USE_FILE_LOCKING=FALSE
tessera_yield_if_oversubscribed

# --- run directory and input scale -------------------------------------------------------
if [[ -z ${TESSERA_RUN_ROOT:-} ]]; then
  if [[ -n ${PSCRATCH:-} ]]; then
    TESSERA_RUN_ROOT=$PSCRATCH/tessera
  elif [[ -n ${SCRATCH:-} ]]; then
    TESSERA_RUN_ROOT=$SCRATCH/tessera
  else
    TESSERA_RUN_ROOT=${SLURM_SUBMIT_DIR:-$PWD}/tessera-runs
  fi
fi
TESSERA_RUN_DIR="${TESSERA_RUN_DIR:-$TESSERA_RUN_ROOT/${SLURM_JOB_NAME:-job}-${SLURM_JOB_ID:-$$}}"
mkdir -p "$TESSERA_RUN_DIR"
export TESSERA_RUN_DIR
if [[ -z ${TESSERA_SCALE:-} ]]; then
  TESSERA_SCALE=small
  $on_perlmutter && TESSERA_SCALE=large
fi

tessera_srun() {
  # srun no longer inherits --cpus-per-task from sbatch: pass it explicitly.
  # shellcheck disable=SC2046
  srun $(tessera_srun_mpi) --cpus-per-task="$TESSERA_CPUS_PER_TASK" --cpu-bind=cores "$@"
}

tessera_stripe() {
  # Shared files written by many ranks at once want many OSTs: stripe the
  # directory before the files are created (existing files keep their layout).
  local dir=$1 count=${2:-16}
  mkdir -p "$dir"
  command -v lfs >/dev/null || return 0
  lfs setstripe -c "$count" -S 16M "$dir" 2>/dev/null ||
    echo "common.sh: lfs setstripe failed on $dir (not on Lustre?)" >&2
}

tessera_report() {
  # Each step prints its own perf table; with TESSERA_BASELINE set, also flag
  # the regions slower than the baseline.
  local report=$1
  [[ -n ${TESSERA_BASELINE:-} && -f $TESSERA_BASELINE && -f $report ]] || return 0
  # shellcheck disable=SC2046
  srun $(tessera_srun_mpi) -n 1 -N 1 "$TESSERA" report "$report" --baseline "$TESSERA_BASELINE" || true
}

echo "tessera job ${SLURM_JOB_ID:-?}: ${SLURM_NNODES:-?} node(s), ${SLURM_NTASKS:-?} ranks," \
     "$OMP_NUM_THREADS thread(s)/rank, -c $TESSERA_CPUS_PER_TASK, scale $TESSERA_SCALE;" \
     "run dir $TESSERA_RUN_DIR"
echo "tessera: $("$TESSERA" --version 2>/dev/null || echo "$TESSERA")"
