#!/usr/bin/env bash
# science-sweep.sh: extends the records behind docs/validation.md (coupled vs
# decoupled, the approach to 1/2) by solving, then regenerates the report from
# every record directory that exists (and the README's claims section with it). Resumable: interrupt it at any time and
# run it again; finished instances are kept. Each part is its own sweep
# directory under docs/data/science, because the seed counts differ with d.
#   d = 8..24: 200 seeds; d = 32: 100; d = 40, 48: 40; d = 64: seeds 1..10, then
#   11..20 in a directory of their own (a sweep directory's seed range is fixed);
#   d = 96: 40 pairs (seeds 1..40, docs/data/science/d96); d = 128: 25 pairs
#   (seeds 1..25, docs/data/science/d128): the pair targets, stated once in
#   validation.Targets (the report's progress paragraph counts the records
#   against them and estimates the cost of the rest; a test keeps these lines
#   and the run lines below equal to them);
#   d128v: the single-verdict (probit) design at d = 128, 40 pairs' worth of
#   verdicts (seeds 1..40 of both models, one certified verdict each at a p0
#   fixed per model in advance, docs/data/science/d128v; validation.VerdictTargets
#   states it and a test keeps this line equal to it). p0 is the report's guess
#   (docs/validation.md, "Where to spend the CPU"): theory's p_c(128) = 1812.87
#   times (1 + the model's deviation of mean p* + 1/2 from theory at d = 96,
#   +1.532% coupled and +0.192% decoupled from the d = 96 records of commit
#   8edfca2, 14 and 13 of them): 1841 coupled, 1816 decoupled. Fixed here:
#   grid.json keeps them, and a resume must give the same;
#   then the two models' optimal memories: d = 32, 48 at equal p
#   (compare/compare.json) and d = 12..24 at equal p and equal relative load
#   (compare-load/dD/compare.json, one directory per d; add 32 to the list
#   when CPU allows: its max-margin QPs cost several times those of d = 24).
# PARTS selects parts (default: all), e.g. PARTS="d96 d128 report". Run it
# under nohup for the long parts:
#   nohup scripts/science-sweep.sh >sweep.log 2>&1 &
# More pairs later: raise the seed range in a new directory (d96b, ...), as
# d64b does, and add it here; the report reads every directory listed below.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${LAMCAP:-bin/lamcap}
out=${OUT:-docs/data/science}
workers=${WORKERS:-2}
parts=${PARTS:-"small d32 d40-48 d64 d64b d128v d96 d128 compare compare-load report"}
want() { [[ " $parts " == *" $1 "* ]]; }
run() { # dir d-list seeds [extra flags]
  want "$1" || return 0
  echo "== $(date -u +%FT%TZ) d=$2 seeds=$3 -> $out/$1"
  "$bin" sweep --d "$2" --seeds "$3" --model coupled,decoupled --workers "$workers" --quiet --out "$out/$1" "${@:4}"
}
runv() { # dir d seeds verdict-points [extra flags]: a verdict sweep (lamcap sweep --at)
  want "$1" || return 0
  echo "== $(date -u +%FT%TZ) d=$2 seeds=$3 verdicts at $4 -> $out/$1"
  "$bin" sweep --d "$2" --seeds "$3" --model coupled,decoupled --at "$4" --workers "$workers" --quiet --out "$out/$1" "${@:5}"
}
run small 8,12,16,20,24 200
run d32 32 100
run d40-48 40,48 40
run d64 64 10
run d64b 64 11:20
# d = 96 and 128 keep the certificates' digests only: an interior-point
# not-storable certificate there weights all p(p-1) rows (65 MB at d = 96).
# One worker: two need more memory than the machine's 24 GiB allows for.
# First one certified verdict per instance at d = 128 (about 1/6 of a p*
# search each): per CPU-hour the better measure of the paired shift there
# (docs/validation.md, "Where to spend the CPU"); then the full p*.
workers=1 runv d128v 128 40 coupled=1841,decoupled=1816 --digests-only
workers=1 run d96 96 40 --digests-only
workers=1 run d128 128 25 --digests-only
# The mechanism at scale (each compare.json is one run, skipped once it exists).
if want compare && [ ! -s "$out/compare/compare.json" ]; then
  echo "== $(date -u +%FT%TZ) compare-models d=32,48 seeds=1:24 -> $out/compare"
  "$bin" compare-models --d 32,48 --seeds 1:24 --out "$out/compare"
fi
if want compare-load; then
  for d in 12 16 20 24; do
    [ -s "$out/compare-load/d$d/compare.json" ] && continue
    echo "== $(date -u +%FT%TZ) compare-models d=$d seeds=1:24, equal p and equal relative load -> $out/compare-load/d$d"
    "$bin" compare-models --d "$d" --seeds 1:24 --records "$out/small" --out "$out/compare-load/d$d"
  done
fi
# The report, from every record directory and compare.json that exists.
if want report; then
  recs=() cmps=()
  # Every directory with a record enters: the report takes a d with any
  # number of records, counts it in its progress paragraph, and puts it in
  # its tables and fits as it reaches their minimums (package validation).
  for dir in small d32 d40-48 d64 d64b d96 d128; do
    [ -s "$out/$dir/records.jsonl" ] && recs+=("$out/$dir")
  done
  # The single-verdict runs (lamcap sweep --at), each directory that has a record.
  vrecs=()
  for dir in d128v; do
    [ -s "$out/$dir/records.jsonl" ] && vrecs+=("$out/$dir")
  done
  [ -s "$out/compare/compare.json" ] && cmps+=("$out/compare/compare.json")
  for f in "$out"/compare-load/d*/compare.json; do
    [ -s "$f" ] && cmps+=("$f")
  done
  args=(validate --records "$(IFS=,; echo "${recs[*]}")" --report docs/validation.md --readme README.md)
  [ ${#cmps[@]} -gt 0 ] && args+=(--compare "$(IFS=,; echo "${cmps[*]}")")
  [ ${#vrecs[@]} -gt 0 ] && args+=(--verdicts "$(IFS=,; echo "${vrecs[*]}")")
  echo "== $(date -u +%FT%TZ) lamcap ${args[*]}"
  "$bin" "${args[@]}"
fi
