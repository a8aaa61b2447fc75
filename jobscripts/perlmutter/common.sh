# shellcheck shell=bash
# Shared settings for Tessera jobs on NERSC Perlmutter CPU nodes. Every
# jobscripts/perlmutter/*.sbatch sources this file after its #SBATCH lines:
#
#   source "${TESSERA_SOURCE:-$SLURM_SUBMIT_DIR}/jobscripts/perlmutter/common.sh"
#
# (sbatch runs a copy of the script from a spool directory, so the checkout is
# found through $TESSERA_SOURCE or the directory the job was submitted from.)
#
# After sourcing, a job has:
#   $TESSERA_SOURCE   the checkout
#   $TESSERA          the executable ($TESSERA_BUILD/tessera)
#   $TESSERA_RUN_DIR  a fresh run directory on $PSCRATCH for this job's outputs
#   tessera_srun ARGS...       srun with the job's ranks, CPUs per rank and core binding
#   tessera_stripe DIR [COUNT] Lustre striping for a directory that will hold shared files
#   tessera_report REPORT.json print a perf report (and compare with a baseline if given)
#
# Environment knobs (export before sbatch, or edit here):
#   TESSERA_ENV=modules|spack  how the dependencies are found (default modules)
#   TESSERA_SPACK_ENV=DIR      Spack environment directory for TESSERA_ENV=spack
#   TESSERA_BUILD=DIR          build directory (default $TESSERA_SOURCE/build-perlmutter)
#   TESSERA_THREADS=N          OpenMP threads per rank (default 1)

set -euo pipefail

: "${TESSERA_SOURCE:=${SLURM_SUBMIT_DIR:-$PWD}}"
if [[ ! -f "$TESSERA_SOURCE/jobscripts/perlmutter/common.sh" ]]; then
  echo "common.sh: $TESSERA_SOURCE is not a Tessera checkout; submit from the checkout or" \
       "export TESSERA_SOURCE" >&2
  exit 2
fi
: "${TESSERA_BUILD:=$TESSERA_SOURCE/build-perlmutter}"
: "${TESSERA_ENV:=modules}"
: "${TESSERA_THREADS:=1}"
export TESSERA_SOURCE TESSERA_BUILD

# --- dependencies ------------------------------------------------------------
# The modules are the same as for building (docs/install.md); loading them in
# the job makes the run use the libraries the build linked against.
# (Lmod and Spack's shell support read unset variables: relax -u around them.)
set +u
if [[ "$TESSERA_ENV" == "spack" ]]; then
  : "${TESSERA_SPACK_ENV:=$TESSERA_SOURCE}"
  # shellcheck disable=SC1091
  source "${SPACK_ROOT:?set SPACK_ROOT to use TESSERA_ENV=spack}/share/spack/setup-env.sh"
  spack env activate "$TESSERA_SPACK_ENV"
else
  module load PrgEnv-gnu cray-mpich cray-hdf5-parallel cray-parallel-netcdf
  # Libraries without a Cray module (HEALPix C++, CFITSIO, ERFA, GDAL, nanoflann, ...)
  # come from a Spack view: point TESSERA_DEPS_VIEW at it.
  if [[ -n "${TESSERA_DEPS_VIEW:-}" ]]; then
    export LD_LIBRARY_PATH="$TESSERA_DEPS_VIEW/lib:$TESSERA_DEPS_VIEW/lib64:${LD_LIBRARY_PATH:-}"
  fi
fi
set -u

TESSERA="$TESSERA_BUILD/tessera"
if [[ ! -x "$TESSERA" ]]; then
  echo "common.sh: no executable at $TESSERA; build first (docs/install.md)" >&2
  exit 2
fi

# --- CPU placement ---------------------------------------------------------------
# A Perlmutter CPU node has 2 x 64 physical cores, 256 hardware threads. Slurm
# counts hardware threads, so a rank owning k physical cores needs -c 2k:
# with 128 ranks per node that is -c 2, with 32 ranks x 4 threads -c 8.
export OMP_NUM_THREADS="$TESSERA_THREADS"
export OMP_PLACES=threads
export OMP_PROC_BIND=spread
TESSERA_CPUS_PER_TASK="${SLURM_CPUS_PER_TASK:-$((2 * TESSERA_THREADS))}"

# --- MPI-IO and HDF5 on Lustre ------------------------------------------------------
# Collective buffering for the shared HDF5/NetCDF outputs; file locking is off
# on $PSCRATCH for HDF5 (Lustre locking through HDF5 only slows and can fail).
export MPICH_MPIIO_HINTS="${MPICH_MPIIO_HINTS:-*:romio_cb_write=enable:romio_ds_write=disable}"
export HDF5_USE_FILE_LOCKING=FALSE

# --- run directory ---------------------------------------------------------------
: "${PSCRATCH:?PSCRATCH is not set: not on Perlmutter?}"
TESSERA_RUN_DIR="${TESSERA_RUN_DIR:-$PSCRATCH/tessera/${SLURM_JOB_NAME:-job}-${SLURM_JOB_ID:-$$}}"
mkdir -p "$TESSERA_RUN_DIR"
export TESSERA_RUN_DIR

tessera_srun() {
  # srun no longer inherits --cpus-per-task from sbatch: pass it explicitly.
  srun --cpus-per-task="$TESSERA_CPUS_PER_TASK" --cpu-bind=cores "$@"
}

tessera_stripe() {
  # Shared files written by many ranks at once want many OSTs: stripe the
  # directory before the files are created (existing files keep their layout).
  local dir=$1 count=${2:-16}
  mkdir -p "$dir"
  lfs setstripe -c "$count" -S 16M "$dir" || echo "common.sh: lfs setstripe failed on $dir" >&2
}

tessera_report() {
  # Prints a perf report; with TESSERA_BASELINE set, flags regions slower than it.
  local report=$1
  if [[ -n "${TESSERA_BASELINE:-}" && -f "$TESSERA_BASELINE" ]]; then
    srun -n 1 -N 1 "$TESSERA" report "$report" --baseline "$TESSERA_BASELINE" || true
  else
    srun -n 1 -N 1 "$TESSERA" report "$report" || true
  fi
}

echo "tessera job ${SLURM_JOB_ID:-?}: ${SLURM_NNODES:-?} nodes, ${SLURM_NTASKS:-?} ranks," \
     "$OMP_NUM_THREADS threads/rank, -c $TESSERA_CPUS_PER_TASK; run dir $TESSERA_RUN_DIR"
echo "tessera: $("$TESSERA" --version 2>/dev/null || echo "$TESSERA")"
