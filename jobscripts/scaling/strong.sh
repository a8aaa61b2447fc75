#!/usr/bin/env bash
# Strong scaling: the same problem at several rank counts.
#
#   jobscripts/scaling/strong.sh [options] -- COMMAND TEMPLATE ...
#   jobscripts/scaling/strong.sh -r 1,2,4 -- {tessera} check workload --items 20000
#
# Options:
#   -r LIST     rank counts, comma-separated (default 1,2,4)
#   -n N        counted runs per rank count (default 3; the median is reported)
#   -w N        warm-up runs per rank count (default 1)
#   -t T        OpenMP threads per rank (default 1)
#   -N NAME     name of the study, used in result file names (default strong)
#   -e PATH     tessera executable for {tessera} (default <checkout>/build/tessera)
#   -d DIR      work directory: logs and one perf report per run (default /tmp/tessera-scaling)
#   -o DIR      result directory (default <checkout>/perf/results)
#
# The template uses the perf/bench.py variables ({tessera} {work} {ranks}
# {ranks*K} {threads} {perf_report} {python} {source}). A tessera command gets
# `--perf-report {perf_report}` appended if it has none, so every run leaves its
# per-rank report under DIR/reports/. The summary (medians, speed-up, parallel
# efficiency T1/(n*Tn)) is written by perf/bench.py to perf/results/.
#
# Launcher: mpiexec --oversubscribe here; inside a Slurm allocation srun with
# core binding (override with TESSERA_BENCH_LAUNCHER, see perf/README.md).

me=${BASH_SOURCE[0]}
# sbatch runs a spool copy: driver.sh is found beside the submitted path.
[[ $me == */slurm_script ]] && me=$(scontrol show job "$SLURM_JOB_ID" | sed -n 's/^ *Command=\([^ ]*\).*/\1/p')
# shellcheck source=driver.sh
source "${TESSERA_SOURCE:+$TESSERA_SOURCE/jobscripts/scaling}${TESSERA_SOURCE:-$(dirname "$me")}/driver.sh" ||
  { echo "$me: cannot find driver.sh: export TESSERA_SOURCE=<checkout>" >&2; exit 2; }
scaling_main strong "$@"
