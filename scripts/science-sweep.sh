#!/usr/bin/env bash
# science-sweep.sh: extends the records behind docs/validation.md (coupled vs
# decoupled, the approach to 1/2) by solving. Resumable: interrupt it at any time
# and run it again; finished instances are kept. Each part is its own sweep
# directory under docs/data/science, because the seed counts differ with d.
#   d = 8..24: 200 seeds; d = 32: 100; d = 40, 48: 40; d = 64: seeds 1..10, then
#   11..20 in a directory of their own (a sweep directory's seed range is fixed);
#   then the two models' optimal memories at d = 32, 48 (compare-models, 24 seeds).
# Run it under nohup for the long parts:  nohup scripts/science-sweep.sh >sweep.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${LAMCAP:-bin/lamcap}
out=${OUT:-docs/data/science}
workers=${WORKERS:-2}
run() { # dir d-list seeds
  echo "== $(date -u +%FT%TZ) d=$2 seeds=$3 -> $out/$1"
  "$bin" sweep --d "$2" --seeds "$3" --model coupled,decoupled --workers "$workers" --quiet --out "$out/$1"
}
run small 8,12,16,20,24 200
run d32 32 100
run d40-48 40,48 40
run d64 64 10
run d64b 64 11:20
# The mechanism at scale (not resumable: one run, skipped once compare.json exists).
if [ ! -s "$out/compare/compare.json" ]; then
  echo "== $(date -u +%FT%TZ) compare-models d=32,48 seeds=1:24 -> $out/compare"
  "$bin" compare-models --d 32,48 --seeds 1:24 --out "$out/compare"
fi
