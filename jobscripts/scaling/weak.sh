#!/usr/bin/env bash
# Weak scaling: the work grows with the rank count, so ideal time stays flat.
#
#   jobscripts/scaling/weak.sh [options] -- COMMAND TEMPLATE ...
#   jobscripts/scaling/weak.sh -r 1,2,4 -- {tessera} check workload --items {ranks*5000}
#
# Same options as strong.sh (-r -n -w -t -N -e -d -o). The template must scale
# its own work with the ranks: write {ranks*K} for "K per rank". Efficiency is
# T1/Tn. Perf reports of every run are kept under the work directory.

me=${BASH_SOURCE[0]}
# sbatch runs a spool copy: driver.sh is found beside the submitted path.
[[ $me == */slurm_script ]] && me=$(scontrol show job "$SLURM_JOB_ID" | sed -n 's/^ *Command=\([^ ]*\).*/\1/p')
# shellcheck source=driver.sh
source "${TESSERA_SOURCE:+$TESSERA_SOURCE/jobscripts/scaling}${TESSERA_SOURCE:-$(dirname "$me")}/driver.sh" ||
  { echo "$me: cannot find driver.sh: export TESSERA_SOURCE=<checkout>" >&2; exit 2; }
scaling_main weak "$@"
