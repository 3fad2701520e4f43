#!/bin/sh
# Parallel zoo build (what made the committed models/zoo): the three independent stages at once, then the
# nine LLaVA configurations at once, one process each. Same stages and flags as `build_zoo.py --stage all`.
#   sh tools/zoo/build_parallel.sh DATA OUT WORK [extra build_zoo.py flags...]
# e.g. BUDGET=150 sh tools/zoo/build_parallel.sh .cache/zoo-train models/zoo .cache/zoo-work
set -u
DATA=$1; OUT=$2; WORK=$3; shift 3
PY=${PYTHON:-/usr/bin/python3}
BUDGET=${BUDGET:-0}
THREADS=${THREADS:-6}
run() { "$PY" tools/zoo/build_zoo.py --data "$DATA" --out "$OUT" --work "$WORK" --budget-seconds "$BUDGET" "$@"; }
fail=0
run --stage clip --threads "$THREADS" "$@" > "$WORK.clip.log" 2>&1 & p1=$!
run --stage ssl --threads "$THREADS" "$@" > "$WORK.ssl.log" 2>&1 & p2=$!
run --stage base --threads 2 "$@" > "$WORK.base.log" 2>&1 & p3=$!
for p in $p1 $p2 $p3; do wait $p || fail=1; done
tail -n 3 "$WORK.clip.log" "$WORK.ssl.log" "$WORK.base.log"
[ $fail = 0 ] || { echo "encoder/base stage failed"; exit 1; }
pids=""
for c in llava-clip llava-amof-0 llava-amof-0.25 llava-amof-0.5 llava-amof-0.625 llava-amof-0.75 llava-amof-0.875 llava-amof-1 llava-imof; do
  run --stage llava --config $c --threads 1 "$@" > "$WORK.$c.log" 2>&1 & pids="$pids $!"
done
for p in $pids; do wait $p || fail=1; done
for c in llava-clip llava-amof-0 llava-amof-0.25 llava-amof-0.5 llava-amof-0.625 llava-amof-0.75 llava-amof-0.875 llava-amof-1 llava-imof; do tail -n 1 "$WORK.$c.log"; done
[ $fail = 0 ] || { echo "a llava stage failed"; exit 1; }
du -sh "$OUT"
