#!/usr/bin/env bash
# local-slurm.sh: a throw-away single-node Slurm cluster on this machine, for tests.
#
#   local-slurm.sh up DIR      install slurm-wlm and munge from Debian if missing, write
#                              DIR/slurm.conf for this machine's cores, start munged,
#                              slurmctld and slurmd as plain background processes (no
#                              systemd) and wait until the node is idle
#   local-slurm.sh down DIR    cancel every job, stop the daemons and any process left
#                              over from the cluster in DIR; say what it stopped
#   local-slurm.sh run CMD...  up in a new temporary DIR, run CMD with SLURM_CONF set,
#                              then down whatever happened (CMD's exit status is kept)
#
# Everything lives in DIR: the configuration, the munge key and socket, the state, the
# spool, pid files and logs (DIR/log). Nothing is written to /etc/slurm or /etc/munge,
# and the system's own munged or Slurm, if any, is not touched. Clients find the
# cluster through SLURM_CONF=DIR/slurm.conf.
#
# Choices (robust in containers without systemd or cgroups):
# - proctrack/linuxproc and task/none: no cgroups; processes of a job are tracked by
#   their parent chain.
# - select/cons_tres with CR_CPU: every logical CPU can be allocated, so a machine with
#   hyperthreads runs as many one-CPU tasks as it has CPUs.
# - no accounting (accounting_storage/none, no slurmdbd): sacct does not work; jobs are
#   followed with squeue and 'scontrol show job', which keeps finished jobs for
#   MinJobAge (an hour here) with their state, exit code and restart count.
# - JobRequeue=1: batch jobs can be requeued (scontrol requeue, preemption). A
#   requeued job may start again only once its old credential has expired
#   (AuthInfo cred_expire, 120 s by default, 15 s here), and the scheduler looks at
#   pending jobs every 2 s (sched_interval, 60 s by default).
# - The ports are free ones picked at start-up (SlurmctldPort, SlurmdPort), so a
#   leftover cluster or a system Slurm does not get in the way.
# Every process of the cluster carries LAMCAP_SLURM_CLUSTER=DIR in its environment
# (daemons, slurmstepd, and jobs submitted from an environment that exports it);
# 'down' uses it to find leftovers, and stops nothing else.
#
# Needs root: apt-get, and slurmd, which starts jobs as their owners.
set -euo pipefail

say() { echo "local-slurm: $*" >&2; }
die() {
  echo "local-slurm: ERROR: $*" >&2
  exit 1
}

SLURM_TIMEOUT=${SLURM_TIMEOUT:-90} # seconds to wait for each daemon
# The tag is given to the daemons by 'up' alone; this script and its helpers (tr, grep,
# subshells, which show the environment bash was started with) must not carry it, or
# 'down' would take them for leftovers.
if [ -n "${LAMCAP_SLURM_CLUSTER+set}" ]; then
  exec env -u LAMCAP_SLURM_CLUSTER "$0" "$@"
fi

need_root() {
  [ "$(id -u)" = 0 ] || die "must run as root (apt-get installs slurm-wlm and munge; slurmd starts jobs as their owners). Run it with sudo."
}

# install_packages installs slurm-wlm and munge from Debian when their programs are
# missing, without letting the packages start their own services.
install_packages() {
  local missing=()
  for c in slurmctld slurmd sbatch squeue scontrol scancel sinfo munged munge; do
    command -v "$c" >/dev/null 2>&1 || missing+=("$c")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  need_root
  command -v apt-get >/dev/null 2>&1 ||
    die "Slurm is not installed (missing: ${missing[*]}) and there is no apt-get to install it; install slurm-wlm and munge"
  say "installing slurm-wlm and munge from Debian (missing: ${missing[*]})"
  if ! apt-cache policy slurm-wlm munge 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt-get update -qq >/dev/null || die "apt-get update failed; cannot install slurm-wlm and munge"
  fi
  # The packages' maintainer scripts would start munged and the Slurm daemons with the
  # system configuration; policy-rc.d (exit 101) tells invoke-rc.d not to.
  local policy=/usr/sbin/policy-rc.d ours=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && ours=1
  fi
  local rc=0 log
  log=$(mktemp)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge >"$log" 2>&1 || rc=$?
  [ "$ours" = 1 ] && rm -f "$policy"
  if [ "$rc" != 0 ]; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    die "apt-get install slurm-wlm munge failed (exit $rc); the cluster cannot be brought up"
  fi
  rm -f "$log"
  for c in "${missing[@]}"; do
    command -v "$c" >/dev/null 2>&1 || die "after installing slurm-wlm and munge, $c is still missing"
  done
}

# used_ports prints the local TCP ports in use (any state), one per line, in decimal.
used_ports() {
  local f
  for f in /proc/net/tcp /proc/net/tcp6; do
    [ -r "$f" ] || continue
    awk 'NR > 1 { split($2, a, ":"); print a[2] }' "$f"
  done | while read -r hex; do echo $((16#$hex)); done | sort -un
}

# free_port START [EXCLUDE]: the first port >= START that nothing uses.
free_port() {
  local p=$1 used
  used=$(used_ports)
  while grep -qx "$p" <<<"$used" || [ "$p" = "${2:-}" ]; do
    p=$((p + 1))
  done
  echo "$p"
}

# pid_of DIR NAME: the pid in DIR's pid file for NAME if that process is alive and is
# NAME started for this cluster; nothing otherwise (a stale pid file is ignored).
pid_of() {
  local dir=$1 name=$2 file pid
  case $name in
  munged) file=$dir/munge/munged.pid ;;
  *) file=$dir/run/$name.pid ;;
  esac
  [ -s "$file" ] || return 0
  pid=$(tr -dc 0-9 <"$file")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 0
  { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q "$name" || return 0
  tagged "$pid" "$dir" || return 0
  echo "$pid"
}

# tagged PID DIR: whether process PID belongs to the cluster in DIR: it has the tag in
# its environment, or it is a Slurm or munge daemon working in DIR (slurmstepd
# overwrites its environment with its process title, and works in DIR/log).
tagged() {
  { tr '\0' '\n' <"/proc/$1/environ"; } 2>/dev/null | grep -qxF "LAMCAP_SLURM_CLUSTER=$2" && return 0
  case $(cat "/proc/$1/comm" 2>/dev/null) in
  slurm* | munged) ;;
  *) return 1 ;;
  esac
  local cwd
  cwd=$(readlink "/proc/$1/cwd" 2>/dev/null) || return 1
  [ "$cwd" = "$2" ] || [[ $cwd == "$2"/* ]]
}

# cluster_pids DIR: every live process of the cluster in DIR except this shell's own
# ancestry (the caller may itself carry the tag).
cluster_pids() {
  local dir=$1 p self=() q
  q=$$
  while [ -n "$q" ] && [ "$q" != 0 ]; do
    self+=("$q")
    q=$(awk '{print $4}' "/proc/$q/stat" 2>/dev/null || true)
  done
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [[ " ${self[*]} " == *" $p "* ]] && continue
    [ "$p" = "$BASHPID" ] && continue
    tagged "$p" "$dir" && echo "$p"
  done
  return 0
}

wait_gone() { # wait_gone SECONDS PID...
  local t=$1 p alive
  shift
  for ((i = 0; i < t * 10; i++)); do
    alive=0
    for p in "$@"; do [ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  return 1
}

STOPPED=()
stop_pids() { # stop_pids WHAT PID...: TERM, then KILL after 10 s
  local what=$1
  shift
  [ $# -gt 0 ] || return 0
  say "stopping $what (pid $*)"
  STOPPED+=("$@")
  kill -TERM "$@" 2>/dev/null || true
  wait_gone 10 "$@" && return 0
  say "$what did not stop on SIGTERM within 10 s; sending SIGKILL"
  kill -KILL "$@" 2>/dev/null || true
  wait_gone 5 "$@" || say "WARNING: $what (pid $*) still alive after SIGKILL"
}

show_logs() {
  local dir=$1 f
  for f in "$dir"/log/*.log; do
    [ -s "$f" ] || continue
    echo "----- last lines of $f" >&2
    tail -n 25 "$f" >&2
  done
}

# up_failed DIR MESSAGE: show the logs, stop what was started, and fail.
up_failed() {
  show_logs "$1"
  echo "local-slurm: ERROR: $2" >&2
  cmd_down "$1" || true
  die "the cluster did not come up: $2"
}

cmd_up() {
  local dir=$1
  need_root
  install_packages
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  for n in munged slurmctld slurmd; do
    [ -z "$(pid_of "$dir" $n)" ] || die "$dir already has a running $n; run '$0 down $dir' first or use a new directory"
  done
  rm -rf "$dir/munge" "$dir/run" "$dir/ctld" "$dir/spool"
  mkdir -p "$dir/munge" "$dir/run" "$dir/ctld" "$dir/spool" "$dir/log"
  chmod 755 "$dir" "$dir/run" # other users may submit jobs through the munge socket
  chmod 700 "$dir/munge"      # the key
  local tag=LAMCAP_SLURM_CLUSTER=$dir # given to the daemons alone

  # munged, with its own key and socket.
  head -c 1024 /dev/urandom >"$dir/munge/munge.key"
  chmod 400 "$dir/munge/munge.key"
  local sock=$dir/run/munge.socket
  env "$tag" munged --force --socket="$sock" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed" </dev/null >>"$dir/log/munged.log" 2>&1 ||
    up_failed "$dir" "munged did not start"
  local ok=0
  for ((i = 0; i < SLURM_TIMEOUT * 10; i++)); do
    if munge -n --socket="$sock" 2>/dev/null | unmunge --socket="$sock" >/dev/null 2>&1; then
      ok=1
      break
    fi
    sleep 0.1
  done
  [ "$ok" = 1 ] || up_failed "$dir" "munged does not answer on $sock after ${SLURM_TIMEOUT}s"

  # slurm.conf for this machine.
  local node cpus cport dport
  node=$(hostname -s 2>/dev/null || hostname)
  node=${node:-localhost}
  cpus=$(nproc)
  cport=$(free_port $((20000 + RANDOM % 20000)))
  dport=$(free_port $((cport + 1)) "$cport")
  cat >"$dir/slurm.conf" <<EOF
# Written by scripts/cluster/local-slurm.sh: a single-node test cluster.
ClusterName=lamcap
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$cport
SlurmdPort=$dport
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock,cred_expire=15
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MpiDefault=none
SwitchType=switch/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
JobRequeue=1
MinJobAge=3600
KillWait=30
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$dir/slurm.conf

  env "$tag" slurmctld -f "$SLURM_CONF" </dev/null >>"$dir/log/slurmctld.log" 2>&1 || up_failed "$dir" "slurmctld did not start"
  ok=0
  for ((i = 0; i < SLURM_TIMEOUT * 10; i++)); do
    if scontrol ping 2>/dev/null | grep -q 'is UP'; then
      ok=1
      break
    fi
    sleep 0.1
  done
  [ "$ok" = 1 ] || up_failed "$dir" "slurmctld does not answer on port $cport after ${SLURM_TIMEOUT}s"

  env "$tag" slurmd -f "$SLURM_CONF" -N "$node" </dev/null >>"$dir/log/slurmd.log" 2>&1 || up_failed "$dir" "slurmd did not start"
  local state=""
  for ((i = 0; i < SLURM_TIMEOUT * 10; i++)); do
    state=$(sinfo -h -n "$node" -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.1
  done
  [ "$state" = idle ] || {
    scontrol show node "$node" >&2 || true
    up_failed "$dir" "node $node is '${state:-unknown}', not idle, ${SLURM_TIMEOUT}s after slurmd started"
  }
  say "cluster up: node $node with $cpus CPUs idle, slurmctld on port $cport, slurmd on port $dport"
  say "export SLURM_CONF=$SLURM_CONF"
}

cmd_down() {
  local dir=$1
  [ -d "$dir" ] || die "no cluster directory $dir"
  dir=$(cd "$dir" && pwd)
  export SLURM_CONF=$dir/slurm.conf
  local ctld known
  known=$(cluster_pids "$dir" | tr '\n' ' ')
  ctld=$(pid_of "$dir" slurmctld)
  if [ -n "$ctld" ] && [ -n "$(pid_of "$dir" slurmd)" ]; then
    local jobs
    jobs=$(squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ' || true)
    if [ -n "${jobs// /}" ]; then
      say "cancelling leftover jobs: $jobs"
      # shellcheck disable=SC2086
      scancel $jobs 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do
        [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break
        sleep 0.1
      done
      if [ -n "$(squeue -h -o %A 2>/dev/null)" ]; then
        # shellcheck disable=SC2086
        scancel --full --signal=KILL $jobs 2>/dev/null || true
        sleep 1
      fi
    fi
  fi
  local p
  p=$(pid_of "$dir" slurmd)
  [ -z "$p" ] || stop_pids slurmd "$p"
  p=$(pid_of "$dir" slurmctld)
  [ -z "$p" ] || stop_pids slurmctld "$p"
  # slurmstepd and job processes that outlived their slurmd.
  local left
  left=$(cluster_pids "$dir" | grep -v -x -F "$(pid_of "$dir" munged)" | tr '\n' ' ' || true)
  # shellcheck disable=SC2086
  [ -z "${left// /}" ] || stop_pids "leftover processes of the cluster" $left
  p=$(pid_of "$dir" munged)
  [ -z "$p" ] || stop_pids munged "$p"
  left=$(cluster_pids "$dir" | tr '\n' ' ')
  if [ -n "${left// /}" ]; then
    # shellcheck disable=SC2086
    ps -o pid,args -p "${left// /,}" >&2 2>/dev/null || true
    die "processes of the cluster in $dir are still running: $left"
  fi
  # The daemons and slurmstepd detached from us, so init reaps them; give it a moment,
  # so that 'pgrep slurm' is empty once this returns.
  local z=()
  for ((i = 0; i < 150; i++)); do
    z=()
    for p in $known "${STOPPED[@]}"; do [ -d "/proc/$p" ] && z+=("$p"); done
    [ ${#z[@]} -eq 0 ] && break
    sleep 0.1
  done
  [ ${#z[@]} -eq 0 ] || say "note: processes ${z[*]} of the cluster have ended but init has not reaped them yet"
  say "cluster in $dir is down"
}

cmd_run() {
  local dir rc=0
  dir=$(mktemp -d "${TMPDIR:-/tmp}/local-slurm.XXXXXX")
  trap 'cmd_down "$dir" || true; rm -rf "$dir"' EXIT
  cmd_up "$dir"
  SLURM_CONF=$dir/slurm.conf LAMCAP_SLURM_CLUSTER=$dir "$@" || rc=$?
  exit "$rc"
}

case ${1:-} in
up | down)
  [ $# = 2 ] || die "usage: $0 $1 DIR"
  "cmd_$1" "$2"
  ;;
run)
  shift
  [ $# -gt 0 ] || die "usage: $0 run CMD [ARGS...]"
  cmd_run "$@"
  ;;
*)
  die "usage: $0 up DIR | down DIR | run CMD [ARGS...]"
  ;;
esac
