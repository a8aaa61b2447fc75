# shellcheck shell=bash
# Helpers shared by every jobscript (perlmutter/common.sh, local/run.sh,
# scaling/driver.sh). Source it; it defines functions only.

# tessera_job_file FALLBACK: the path of the script Slurm is running. sbatch
# runs a spool copy (/var/spool/.../slurm_script), so files beside the script
# are found through the path it was submitted with (`scontrol show job`'s
# Command=). Outside a batch job, FALLBACK (the caller's ${BASH_SOURCE[0]}).
tessera_job_file() {
  local cmd=""
  if [[ -n ${SLURM_JOB_ID:-} && ${1:-} == */slurm_script ]] && command -v scontrol >/dev/null; then
    cmd=$(scontrol show job "$SLURM_JOB_ID" 2>/dev/null | sed -n 's/^ *Command=\([^ ]*\).*/\1/p')
    [[ $cmd == "(null)" ]] && cmd=""
  fi
  echo "${cmd:-$1}"
}

# tessera_threads_per_core: hardware threads per physical core of this job's
# node as Slurm counts them (2 on Perlmutter CPU nodes, 1 on many clusters and
# on this project's local test cluster). Slurm's CPUs are hardware threads, so
# a rank owning T cores needs --cpus-per-task = T x this.
tessera_threads_per_core() {
  local tpc=""
  if [[ -n ${SLURMD_NODENAME:-} ]] && command -v scontrol >/dev/null; then
    tpc=$(scontrol show node "$SLURMD_NODENAME" 2>/dev/null | sed -n 's/.*ThreadsPerCore=\([0-9]*\).*/\1/p')
  fi
  [[ -z $tpc ]] && tpc=$(lscpu 2>/dev/null | sed -n 's/^Thread(s) per core: *\([0-9]*\)/\1/p')
  echo "${tpc:-1}"
}

# tessera_srun_mpi: the srun --mpi option. Debian's and most Open MPI builds
# start only with PMIx (`--mpi=pmix`; pmi2/none make MPI_Init fail); Cray
# MPICH on Perlmutter uses the site default (cray_shasta). TESSERA_SRUN_MPI
# overrides it (empty: the site default).
tessera_srun_mpi() {
  local mpi
  if [[ -n ${TESSERA_SRUN_MPI+set} ]]; then
    mpi=$TESSERA_SRUN_MPI
  elif [[ ${NERSC_HOST:-} == perlmutter ]]; then
    mpi=""
  else
    mpi=pmix
  fi
  [[ -n $mpi ]] && echo "--mpi=$mpi"
  return 0
}

# tessera_yield_if_oversubscribed: when the node declares more CPUs than it
# has (a test cluster, or --overcommit), ranks share cores. mpiexec
# --oversubscribe tells Open MPI to yield while it waits; under srun Open MPI
# cannot know and busy-polls, which makes collective writes many times slower.
tessera_yield_if_oversubscribed() {
  local declared=${SLURM_CPUS_ON_NODE:-0} real
  real=$(nproc --all)
  if ((declared > real)) || [[ ${SLURM_OVERCOMMIT:-} == 1 ]]; then
    export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
  fi
  return 0
}
