# shellcheck shell=bash
# Shared body of strong.sh and weak.sh: option parsing and the perf/bench.py call.
set -euo pipefail

scaling_usage() {
  sed -n '2,/^$/p' "$0" | sed -n '/^#/s/^# \{0,1\}//p' >&2
  exit 2
}

scaling_main() {
  local kind=$1
  shift
  local here source ranks=1,2,4 repeat=3 warmup=1 threads=1 name=$kind exe="" work="" results=""
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  source=$(cd "$here/../.." && pwd)
  # shellcheck source=../lib/slurm.sh
  source "$source/jobscripts/lib/slurm.sh"
  while (($#)); do
    case $1 in
      -r) ranks=$2; shift 2 ;;
      -n) repeat=$2; shift 2 ;;
      -w) warmup=$2; shift 2 ;;
      -t) threads=$2; shift 2 ;;
      -N) name=$2; shift 2 ;;
      -e) exe=$2; shift 2 ;;
      -d) work=$2; shift 2 ;;
      -o) results=$2; shift 2 ;;
      -h|--help) scaling_usage ;;
      --) shift; break ;;
      *) echo "$kind: unknown option $1 (the command goes after --)" >&2; scaling_usage ;;
    esac
  done
  (($#)) || { echo "$kind: no command template after --" >&2; scaling_usage; }

  local template
  template=$(printf '%q ' "$@")
  # Tessera commands always leave a perf report per run.
  if [[ $1 == "{tessera}" || $1 == *tessera ]] && [[ $template != *"{perf_report}"* ]]; then
    template+="--perf-report {perf_report}"
  fi

  if [[ -z "${TESSERA_BENCH_LAUNCHER:-}" && -n "${SLURM_JOB_ID:-}" ]] && command -v srun >/dev/null; then
    # Slurm's CPUs are hardware threads: -c threads x threads-per-core (2 on
    # Perlmutter's CPU nodes, 1 where cores have one).
    TESSERA_BENCH_LAUNCHER="srun $(tessera_srun_mpi) -n {ranks}"
    TESSERA_BENCH_LAUNCHER+=" --cpus-per-task=$((threads * $(tessera_threads_per_core))) --cpu-bind=cores"
    export TESSERA_BENCH_LAUNCHER
    tessera_yield_if_oversubscribed
    export OMP_PLACES=threads OMP_PROC_BIND=spread
  fi

  local args=(scaling --command "$template" --name "$name" --ranks "$ranks"
              --repeat "$repeat" --warmup "$warmup" --threads "$threads"
              --work "${work:-/tmp/tessera-scaling}")
  [[ -n $exe ]] && args+=(--tessera "$exe")
  [[ -n $results ]] && args+=(--results "$results")
  [[ $kind == weak ]] && args+=(--weak)
  exec "${TESSERA_PYTHON:-python3}" "$source/perf/bench.py" "${args[@]}"
}
