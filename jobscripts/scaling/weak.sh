#!/usr/bin/env bash
# Weak scaling: the work grows with the rank count, so ideal time stays flat.
#
#   jobscripts/scaling/weak.sh [options] -- COMMAND TEMPLATE ...
#   jobscripts/scaling/weak.sh -r 1,2,4 -- {tessera} check workload --items {ranks*5000}
#
# Same options as strong.sh (-r -n -w -t -N -e -d -o). The template must scale
# its own work with the ranks: write {ranks*K} for "K per rank". Efficiency is
# T1/Tn. Perf reports of every run are kept under the work directory.

# shellcheck source=driver.sh
source "$(dirname "${BASH_SOURCE[0]}")/driver.sh"
scaling_main weak "$@"
