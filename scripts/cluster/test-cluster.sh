#!/usr/bin/env bash
# test-cluster.sh (make test-cluster): the Slurm job array of docs/clusters.md on a real Slurm.
#
# Brings up a single-node cluster on this machine (local-slurm.sh), then:
#   readme   docs/clusters.md shows scripts/slurm/sweep-array.sbatch verbatim
#   array    submits that file as a 4-task array (d = 6:12:2, 20 seeds, both models),
#            waits, merges, and compares with a single-machine run of the same grid:
#            every shard holds exactly its slice, the merge every unit once with the
#            same p*, and the same summary
#   requeue  a 2-task array at d = 32 (units of a few seconds): cancels task 1 once it
#            has finished some units and not all (scancel), requeues it (scontrol
#            requeue) and checks that it resumed its own shard: the records finished
#            before the cancel are kept byte for byte, nothing is missing or doubled,
#            and the merge equals a single-machine run
#   lock     two tasks on one shard directory: the second must exit with status 1
#            saying the directory "is in use by another lamcap process", and the first
#            must finish its shard untouched
# and tears the cluster down whatever happened. Every step runs, a failed step does
# not hide the later ones; the exit status is 0 only if all passed.
#
# LAMCAP=path tests another lamcap binary (default bin/lamcap, which make builds).
# The steps to run can be narrowed with CLUSTER_STEPS="array requeue" (default: all);
# a step left out is reported as SKIPPED, never as passed.
# Needs root (see local-slurm.sh). Takes about 3 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
LAMCAP=${LAMCAP:-$ROOT/bin/lamcap}
LAMCAP=$(cd "$(dirname "$LAMCAP")" && pwd)/$(basename "$LAMCAP")
SCRIPT=$ROOT/scripts/slurm/sweep-array.sbatch
CLUSTER=$ROOT/scripts/cluster/local-slurm.sh
CLUSTER_STEPS=${CLUSTER_STEPS:-readme array requeue lock}
T0=$SECONDS
DEADLINE=$((SECONDS + ${CLUSTER_TEST_TIMEOUT:-900}))
# The size of the requeue and lock steps' units. Those steps act while a task is between
# units, so a unit must take seconds, not the 0.2 s poll: at d = 20 a unit took 0.7 s
# once the interior-point method got faster, and a task could finish its whole shard
# before the cancel reached it. At d = 32 a unit takes 3-6 s on 2 idle cores.
UNIT_D=32

say() { echo "test-cluster: $*" >&2; }
loud() {
  {
    echo "======================================================================"
    echo "test-cluster: $*"
    echo "======================================================================"
  } >&2
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lamcap-cluster.XXXXXX")
STATE=$WORK/slurm
DATA=$WORK/data
mkdir -p "$DATA"
export LAMCAP_SLURM_CLUSTER=$STATE # tags the jobs too (sbatch exports the environment)
export SLURM_CONF=$STATE/slurm.conf
declare -A RESULT=()
REFPID=

cleanup() {
  local rc=$? down=0
  trap - EXIT INT TERM
  if [ -n "${STEPPID:-}" ]; then
    pkill -TERM -P "$STEPPID" 2>/dev/null || true
    kill "$STEPPID" 2>/dev/null || true
  fi
  if [ -n "$REFPID" ] && [ -d "/proc/$REFPID" ]; then
    pkill -TERM -P "$REFPID" 2>/dev/null || true
    kill "$REFPID" 2>/dev/null || true
  fi
  if [ -d "$STATE" ]; then
    "$CLUSTER" down "$STATE" || down=1
  fi
  echo >&2
  local s all=1
  for s in readme array requeue lock; do
    printf 'test-cluster: %-8s %s\n' "$s" "${RESULT[$s]:-NOT RUN}" >&2
    [[ ${RESULT[$s]:-} == PASS* ]] || all=0
  done
  [ "$down" = 0 ] || {
    loud "FAIL: the cluster was not torn down cleanly (see above)"
    all=0
  }
  if [ "$all" = 1 ] && [ "$rc" = 0 ]; then
    rm -rf "$WORK"
    say "PASS in $((SECONDS - T0)) s"
    exit 0
  fi
  [ "$rc" != 0 ] || rc=1
  say "logs, sweep directories and the cluster's state are kept in $WORK"
  loud "FAIL after $((SECONDS - T0)) s (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM
STEPPID=

[ -x "$LAMCAP" ] || {
  loud "FAIL: no lamcap binary at $LAMCAP (run 'make build' or use 'make test-cluster')"
  exit 1
}

# --- helpers -------------------------------------------------------------------

fail() {
  say "FAIL: $*"
  return 1
}

left() { echo $((DEADLINE - SECONDS)); }

# until_true SECONDS WHAT CMD...: run CMD every 0.2 s until it succeeds.
until_true() {
  local t=$1 what=$2 end
  shift 2
  end=$((SECONDS + t))
  [ "$end" -le "$DEADLINE" ] || end=$DEADLINE
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] || fail "timed out after ${t}s waiting for $what" || return 1
    sleep 0.2
  done
}

# job_gone JOBID: squeue no longer lists the job (or any task of the array).
job_gone() {
  local out
  out=$(squeue -h -j "$1" -o %i 2>&1) || {
    # squeue refuses an id it no longer knows; anything else is a real error
    [[ $out == *"Invalid job id"* ]] && return 0
    return 1
  }
  [ -z "$out" ]
}

# field JOBID NAME: the value of NAME= in 'scontrol show job' of one job or task.
field() {
  scontrol -o show job "$1" | head -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# tasks_ended JOBID N STATE EXIT: all N tasks of array JOBID are in STATE with
# ExitCode EXIT; prints each task's state otherwise.
tasks_ended() {
  local lines bad=0 n
  lines=$(scontrol -o show job "$1")
  n=$(grep -c . <<<"$lines" || true)
  [ "$n" = "$2" ] || {
    echo "$lines" >&2
    fail "job $1 has $n tasks, want $2" || return 1
  }
  while read -r line; do
    local id st ec
    id=$(tr ' ' '\n' <<<"$line" | sed -n 's/^JobId=//p')
    st=$(tr ' ' '\n' <<<"$line" | sed -n 's/^JobState=//p')
    ec=$(tr ' ' '\n' <<<"$line" | sed -n 's/^ExitCode=//p')
    if [ "$st" != "$3" ] || [ "$ec" != "$4" ]; then
      say "  task $(tr ' ' '\n' <<<"$line" | sed -n 's/^ArrayTaskId=//p') (job $id): $st, exit code $ec; want $3, $4"
      bad=1
    fi
  done <<<"$lines"
  [ "$bad" = 0 ] || fail "not every task of job $1 ended $3 with exit code $4"
}

records() { "$WORK/sweepcheck" count "$1"; }
has_records() { [ "$(records "$1")" -ge "$2" ]; }
cancelled() { [ "$(field "$1" JobState)" = CANCELLED ] && job_gone "$1"; }

# submit OUT SHARDS D SEEDS MODELS SBATCH_ARGS...: sbatch docs/clusters.md's script as is,
# with the grid in the environment it exports; prints the job id. SHARDS "" leaves
# SWEEP_SHARDS unset: the script derives the shard count from the array.
submit() {
  local out=$1 shards=$2 d=$3 seeds=$4 models=$5
  shift 5
  mkdir -p "$out"
  LAMCAP=$LAMCAP SWEEP_OUT=$out SWEEP_SHARDS=$shards SWEEP_D=$d SWEEP_SEEDS=$seeds SWEEP_MODELS=$models \
    sbatch --parsable --cpus-per-task=1 --chdir="$out" "$@" "$SCRIPT" | cut -d';' -f1
}

show_logs() {
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    echo "----- $f" >&2
    tail -n 20 "$f" >&2
  done
}

# ref NAME: wait for the single-machine reference run NAME; prints its directory.
ref() {
  until_true 600 "the single-machine run $1" test -e "$DATA/ref-$1.done" >&2 || return 1
  [ "$(cat "$DATA/ref-$1.done")" = 0 ] || {
    show_logs "$DATA/ref.log"
    fail "the single-machine run $1 failed" || return 1
  }
  echo "$DATA/ref-$1"
}

# run_step NAME: runs step_NAME in a subshell with errexit and records the result.
run_step() {
  local name=$1 t=$SECONDS rc=0
  if [[ " $CLUSTER_STEPS " != *" $name "* ]]; then
    RESULT[$name]="SKIPPED (not in CLUSTER_STEPS)"
    return 0
  fi
  say "--- step $name ($(left) s left)"
  # In the background, so that a signal to this script is handled at once (bash runs
  # traps only between foreground commands), not when the step ends.
  RESULT[$name]="INTERRUPTED"
  (
    set -euo pipefail
    "step_$name"
  ) &
  STEPPID=$!
  wait "$STEPPID" || rc=$?
  STEPPID=
  if [ "$rc" = 0 ]; then
    RESULT[$name]="PASS ($((SECONDS - t)) s)"
  else
    RESULT[$name]="FAIL ($((SECONDS - t)) s)"
    [ "$name" != lock ] || RESULT[$name]+=" -- needs the sweep-directory lock (lamcap sweep refusing a directory in use)"
  fi
  say "--- step $name: ${RESULT[$name]}"
}

# --- the steps -----------------------------------------------------------------

step_readme() {
  "$WORK/sweepcheck" readme docs/clusters.md "$SCRIPT"
}

step_array() {
  local out=$DATA/array ref job k
  job=$(submit "$out" "" 6:12:2 20 coupled,decoupled --array=1-4 --output="$out/task-%a.log")
  say "submitted job array $job: 4 tasks (the shard count taken from the array), d = 6, 8, 10, 12, 20 seeds, coupled and decoupled"
  until_true 400 "job $job to end" job_gone "$job" || {
    squeue >&2
    return 1
  }
  tasks_ended "$job" 4 COMPLETED 0:0 || {
    show_logs "$out"/task-*.log
    return 1
  }
  ref=$(ref main)
  for k in 1 2 3 4; do
    "$WORK/sweepcheck" shard "$out/shard-$k" "$k/4" "$ref"
  done
  "$LAMCAP" merge --out "$DATA/array-merged" "$out"/shard-{1,2,3,4} >"$DATA/array-merge.log"
  "$WORK/sweepcheck" same "$ref" "$DATA/array-merged"
  # An array that is not 1-N, without SWEEP_SHARDS, is refused (it used to run 2
  # of 20 shards silently).
  out=$DATA/not-1-n
  job=$(submit "$out" "" 6 2 coupled --array=2-3 --output="$out/task-%a.log")
  until_true 120 "job $job to end" job_gone "$job"
  tasks_ended "$job" 2 FAILED 2:0 || {
    show_logs "$out"/task-*.log
    return 1
  }
  grep -q 'is not 1-N: set SWEEP_SHARDS' "$out/task-2.log" || fail "an array 2-3 did not say why it was refused"
}

step_requeue() {
  local out=$DATA/requeue ref job n log
  job=$(submit "$out" "" "$UNIT_D" 8 coupled --array=1-2 --output="$out/task-%a.log")
  log=$out/task-1.log
  say "submitted job array $job: 2 tasks, d = $UNIT_D, 8 seeds, coupled (4 units of a few seconds per task)"
  until_true 300 "task ${job}_1 to finish its first unit" has_records "$out/shard-1" 1
  n=$(records "$out/shard-1")
  [ "$n" -lt 4 ] || fail "task ${job}_1 finished its whole shard before it could be cancelled"
  say "task ${job}_1 has finished $n of its 4 units: scancel ${job}_1"
  scancel "${job}_1"
  until_true 120 "task ${job}_1 to end" cancelled "${job}_1"
  n=$(records "$out/shard-1")
  [ "$n" -lt 4 ] || fail "task ${job}_1 finished its shard anyway; the cancel did not interrupt it"
  grep -q 'interrupted; finished work is saved' "$log" ||
    fail "task ${job}_1's log does not show lamcap stopping cleanly on the cancel"
  cp "$out/shard-1/records.jsonl" "$DATA/requeue-snapshot.jsonl"
  say "cancelled with $n units finished; scontrol requeue ${job}_1"
  scontrol requeue "${job}_1"
  until_true 400 "job $job to end" job_gone "$job" || {
    squeue >&2
    return 1
  }
  tasks_ended "$job" 2 COMPLETED 0:0 || {
    show_logs "$out"/task-*.log
    return 1
  }
  [ "$(field "${job}_1" Restarts)" = 1 ] || fail "task ${job}_1 ran $(field "${job}_1" Restarts) times again, want 1 requeue"
  ref=$(ref slow)
  "$WORK/sweepcheck" kept "$DATA/requeue-snapshot.jsonl" "$out/shard-1"
  "$WORK/sweepcheck" shard "$out/shard-1" 1/2 "$ref"
  "$WORK/sweepcheck" shard "$out/shard-2" 2/2 "$ref"
  "$LAMCAP" merge --out "$DATA/requeue-merged" "$out"/shard-{1,2} >"$DATA/requeue-merge.log"
  "$WORK/sweepcheck" same "$ref" "$DATA/requeue-merged"
}

step_lock() {
  local out=$DATA/lock ref first second st ec
  first=$(submit "$out" 1 "$UNIT_D" 4 coupled --array=1 --output="$out/first.log")
  until_true 300 "the first task (job $first) to finish a unit" has_records "$out/shard-1" 1
  second=$(submit "$out" 1 "$UNIT_D" 4 coupled --array=1 --output="$out/second.log")
  say "job $first holds $out/shard-1; submitted job $second, task 1 of the same shard"
  until_true 300 "job $second to end" job_gone "$second"
  local holder=running
  job_gone "$first" && holder=ended
  st=$(field "$second" JobState)
  ec=$(field "$second" ExitCode)
  say "job $second: $st, exit code $ec (job $first: $holder); it printed:"
  sed 's/^/    /' "$out/second.log" >&2
  local ok=1
  if ! grep -q 'is in use by another lamcap process' "$out/second.log"; then
    say "FAIL: the second task did not say that the shard directory is in use by another lamcap process"
    ok=0
  fi
  if [ "$st" != FAILED ] || [ "$ec" != 1:0 ]; then
    say "FAIL: the second task ended $st with exit code $ec; want FAILED with exit status 1"
    ok=0
  fi
  if [ "$ok" = 1 ] && [ "$holder" != running ]; then
    say "FAIL: inconclusive: job $first had ended by the time job $second was refused"
    ok=0
  fi
  until_true 300 "job $first to end" job_gone "$first"
  tasks_ended "$first" 1 COMPLETED 0:0 || {
    show_logs "$out/first.log"
    ok=0
  }
  ref=$(ref slow)
  "$WORK/sweepcheck" shard "$out/shard-1" 1/1 "$ref" || ok=0
  [ "$ok" = 1 ]
}

# --- main ----------------------------------------------------------------------

say "lamcap: $LAMCAP; work directory $WORK"
go build -o "$WORK/sweepcheck" ./scripts/cluster/sweepcheck

# The single-machine reference runs, in the background while the cluster works.
reference() { # reference NAME D SEEDS MODELS
  local rc=0
  "$LAMCAP" sweep --d "$2" --seeds "$3" --model "$4" --workers 1 --quiet --out "$DATA/ref-$1" \
    >>"$DATA/ref.log" 2>&1 || rc=$?
  echo "$rc" >"$DATA/ref-$1.done"
}
(
  reference main 6:12:2 20 coupled,decoupled
  reference slow "$UNIT_D" 8 coupled
) &
REFPID=$!

if ! "$CLUSTER" up "$STATE"; then
  loud "FAIL: could not bring up a Slurm cluster on this machine (see the messages above). The cluster test did not run."
  exit 1
fi

for s in readme array requeue lock; do
  run_step "$s"
done
for s in readme array requeue lock; do
  [[ ${RESULT[$s]} == PASS* || ${RESULT[$s]} == SKIPPED* ]] || exit 1
done
[[ " ${RESULT[*]} " != *SKIPPED* ]] || {
  say "some steps were skipped (CLUSTER_STEPS=$CLUSTER_STEPS): not a full pass"
  exit 1
}
