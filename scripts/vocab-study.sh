#!/usr/bin/env bash
# vocab-study.sh: extends the records behind docs/vocabulary.md (issue 22, the
# finite answer vocabulary) to d = 40 and 48, then regenerates the report.
# Resumable: stop it at any time (Ctrl-C, kill -TERM PID) and run it again;
# every threshold found is kept in docs/data/vocab/records.jsonl, and only the
# one in flight is lost. One lamcap process at a time works in the directory
# (a second is refused). The study is experiment.VocabCommand (the report's
# first line): d = 8..48, the whole V grid (17 V at d = 40 and 48), 10 seeds,
# uniform and zipf:1 answers; d = 8..32 are complete. Its parts at d = 40 and
# 48 (340 thresholds each) cost about 5.3 and 14.5 CPU seconds a threshold
# with one BLAS thread (measured at V = 2, 8, d, the largest, seeds 1-2, and
# interpolated over the grid): some 0.5 and 1.4 CPU hours. The report's
# parts table says how far each d has got and estimates what is left from the
# records' own CPU seconds.
# PARTS lists the parts to run, in order (default: "d40 d48 report"), e.g.
# PARTS=report to rewrite the report from the records as they are (while a
# run goes on, too):
#   dN         the study's part at d = N (seed by seed over the whole grid, so
#              that a stopped part has every V with fewer seeds);
#   report     docs/vocabulary.md (REPORT) and its figures, from the records
#              alone.
# OUT (default docs/data/vocab) and REPORT let a copy be tried elsewhere.
# Run it under nohup, at low priority beside the science sweep:
#   nohup scripts/vocab-study.sh >vocab.log 2>&1 &
# LAMCAP_BLAS_THREADS (default 1) and NICE (default 10) keep it to one core
# and behind the science sweep.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${LAMCAP:-bin/lamcap}
out=${OUT:-docs/data/vocab}
report=${REPORT:-docs/vocabulary.md}
parts=${PARTS:-"d40 d48 report"}
export LAMCAP_BLAS_THREADS=${LAMCAP_BLAS_THREADS:-1}
nice=${NICE:-10}
# The study of docs/vocabulary.md: experiment.VocabCommand's flags (a test
# keeps them equal); a part's --d, given after them, replaces theirs.
study=(--d 8,12,16,24,32,40,48 --seeds 10 --answers uniform,zipf:1)
child=
trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; wait; exit 130' TERM INT
lamcap() { # runs bin/lamcap in the background, so that a signal reaches it
  nice -n "$nice" "$bin" "$@" &
  child=$!
  wait "$child"
  child=
}
for part in $parts; do
  case $part in
  d[0-9]*)
    d=${part#d}
    echo "== $(date -u +%FT%TZ) vocab-study d=$d -> $out"
    lamcap vocab-study "${study[@]}" --d "$d" --curve-d 0 --out "$out" >/dev/null
    ;;
  report)
    echo "== $(date -u +%FT%TZ) vocab-study ${study[*]} --no-solve -> $report"
    lamcap vocab-study "${study[@]}" --out "$out" --report "$report" --no-solve >/dev/null
    ;;
  *)
    echo "vocab-study.sh: unknown part $part (want dN or report)" >&2
    exit 2
    ;;
  esac
done
