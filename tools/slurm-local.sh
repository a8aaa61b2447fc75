#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the jobscript and srun tests and
# for trying the jobscripts before a real cluster:
#
#   bash tools/slurm-local.sh start    # writes the config, starts munged, slurmctld, slurmd
#   export SLURM_CONF=$(bash tools/slurm-local.sh conf)
#   sbatch jobscripts/local/run.sh ... ; srun -n 4 --mpi=pmix build/tessera check workload
#   bash tools/slurm-local.sh status   # prints sinfo, exits 0 when the node is idle/allocated
#   bash tools/slurm-local.sh stop     # stops the daemons by their PIDs
#
# Everything lives under $TESSERA_SLURM_DIR (default /tmp/tessera-slurm): its
# own munge key and socket, slurm.conf, spool, state, logs and PID files, on
# their own ports ($TESSERA_SLURM_PORT, default 16817, and the next one), so
# it touches no system configuration and runs beside a system Slurm.
#
# The node declares $TESSERA_SLURM_CPUS CPUs (default 8, at least the real
# count): slurmd takes the declared layout (SlurmdParameters=config_overrides),
# so 8 tasks fit on a 2-core machine, as the tests need. Because those CPUs do
# not all exist, tasks are not bound (TaskPlugin=task/none): --cpu-bind is
# accepted and ignored. On a real cluster the site's task/affinity or
# task/cgroup does the binding (docs/install.md).
#
# Needs Debian's slurm-wlm and munge (tools/setup.sh installs them). As root.
set -euo pipefail

dir=${TESSERA_SLURM_DIR:-/tmp/tessera-slurm}
port=${TESSERA_SLURM_PORT:-16817}
host=$(hostname -s)
real_cpus=$(nproc --all)
cpus=${TESSERA_SLURM_CPUS:-8}
((cpus >= real_cpus)) || cpus=$real_cpus
mem_mb=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10))
conf=$dir/slurm.conf

die() {
  echo "slurm-local: $*" >&2
  exit 1
}

write_config() {
  mkdir -p "$dir"/{state,spool,log,munge}
  chmod 700 "$dir/munge"
  if [[ ! -s $dir/munge/munge.key ]]; then
    # munge's key is any random bytes (1024 is what `mungekey` makes).
    head -c 1024 /dev/urandom >"$dir/munge/munge.key"
    chmod 400 "$dir/munge/munge.key"
  fi
  cat >"$conf" <<EOF
# Written by tools/slurm-local.sh: a one-node test cluster. Not for production.
ClusterName=tessera-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# Open MPI in Debian 12 is built against PMIx: srun --mpi=pmix is what starts it.
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SlurmdParameters=config_overrides
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
InactiveLimit=0
KillWait=5
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=60
Waittime=0
NodeName=$host CPUs=$cpus Sockets=1 CoresPerSocket=$cpus ThreadsPerCore=1 RealMemory=$mem_mb State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
}

pid_alive() {
  [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

start() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null ||
    die "slurm-wlm and munge are not installed (bash tools/setup.sh installs them)"
  write_config
  if ! pid_alive "$dir/munged.pid"; then
    munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
      --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" \
      --seed-file="$dir/munge/munged.seed" || die "munged did not start (see $dir/log/munged.log)"
  fi
  export SLURM_CONF=$conf
  if ! pid_alive "$dir/slurmctld.pid"; then
    slurmctld -f "$conf" || die "slurmctld did not start (see $dir/log/slurmctld.log)"
  fi
  if ! pid_alive "$dir/slurmd.pid"; then
    slurmd -f "$conf" || die "slurmd did not start (see $dir/log/slurmd.log)"
  fi
  # The node is usable once slurmctld has heard from slurmd.
  local i state
  for ((i = 0; i < 60; i++)); do
    state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
    case $state in
      idle | mixed | allocated | completing) break ;;
      down* | drain*) scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 1
  done
  [[ $state == idle || $state == mixed || $state == allocated || $state == completing ]] ||
    die "node $host is '$state' after 60 s (logs in $dir/log)"
  echo "slurm-local: node $host $state, $cpus CPUs; export SLURM_CONF=$conf" >&2
}

stop() {
  local name pidfile pid i
  for name in slurmd slurmctld munged; do
    pidfile=$dir/$name.pid
    [[ -s $pidfile ]] || continue
    pid=$(cat "$pidfile")
    if kill "$pid" 2>/dev/null; then
      for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  echo "slurm-local: stopped" >&2
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  conf) echo "$conf" ;;
  status)
    [[ -f $conf ]] || die "not started (no $conf)"
    SLURM_CONF=$conf sinfo -N -o '%N %T %c %m'
    ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
