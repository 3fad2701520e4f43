#!/bin/sh
# Zoo build sized for a 2-core CPU (what made the committed models/zoo): two processes at a time, 1 thread each.
#   sh tools/zoo/build_two_cores.sh DATA OUT WORK [extra build_zoo.py flags: sizes and --*-steps]
# Phase 1: (CLIP, then the base language model) || SSL. Phase 2: encoder features once, then the fifteen LLaVA
# configurations two at a time (the work file of each is written when it finishes: a rerun skips those). Phase 3: export (ONNX + HF layout + model cards). Logs: WORK.<stage>.log
set -u
DATA=$1; OUT=$2; WORK=$3; shift 3
PY=${PYTHON:-/usr/bin/python3}
# one BLAS thread per process: two processes share the two cores (OpenBLAS would start a thread per core in each)
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
run() { "$PY" tools/zoo/build_zoo.py --data "$DATA" --out "$OUT" --work "$WORK" --threads 1 "$@"; }
start=$(date +%s)
stamp() { echo "[$(date -u +%H:%M:%S)] +$(( $(date +%s) - start ))s $*"; }
PHASE=${PHASE:-1}  # PHASE=2 resumes after phase 1 (its work files in WORK)
if [ "$PHASE" = 1 ]; then
stamp "phase 1: clip+base || ssl"
( run --stage clip "$@" > "$WORK.clip.log" 2>&1 && run --stage base "$@" > "$WORK.base.log" 2>&1 ) & a=$!
run --stage ssl "$@" > "$WORK.ssl.log" 2>&1 & b=$!
wait $a || { echo "clip/base failed"; exit 1; }
wait $b || { echo "ssl failed"; exit 1; }
fi
stamp "phase 2: features, then 9 llava configurations, 2 at a time"
run --stage features "$@" > "$WORK.features.log" 2>&1 || { echo "features failed"; exit 1; }
# the seeded configurations first; a configuration whose trained weights are already in WORK is skipped (resume)
for c in llava-clip llava-imof llava-amof-0.625 llava-amof-0 llava-clip-seed2 llava-imof-seed2 llava-amof-0.625-seed2 \
         llava-clip-seed3 llava-imof-seed3 llava-amof-0.625-seed3 llava-amof-0.25 llava-amof-0.5 llava-amof-0.75 llava-amof-0.875 llava-amof-1; do
  [ -f "$WORK/$c.json" ] && echo "skip $c: $WORK/$c.json exists" >&2 || echo $c
done |
  xargs -P 2 -I{} sh -c 'py=$0 data=$1 out=$2 work=$3; shift 3; "$py" tools/zoo/build_zoo.py --data "$data" --out "$out" --work "$work" --threads 1 --stage llava --config {} "$@" > "$work.{}.log" 2>&1 || { echo "{} failed"; exit 255; }' "$PY" "$DATA" "$OUT" "$WORK" "$@" || exit 1
stamp "phase 2 done"
stamp "phase 3: export"
run --stage export "$@" > "$WORK.export.log" 2>&1 || { echo "export failed"; tail "$WORK.export.log"; exit 1; }
tail -n 1 "$WORK.export.log"
stamp "done"
