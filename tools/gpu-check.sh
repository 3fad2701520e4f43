#!/usr/bin/env bash
# The GPU measurements of issue 19, prepared for a session that has a GPU machine: run ONCE from the
# repository root of a checkout with node_modules installed (pnpm install) and the packages built.
#
#   tools/gpu-check.sh [OUT_DIR]        (default OUT_DIR: $OUT, else ./gpu-check-out)
#
# Writes OUT_DIR/gpu-check.log: the machine (CPU, nvidia-smi GPU name and driver), what the
# onnxruntime-node build bundles, every kernel backend / EP / gpu.js mode against the js kernels
# (benchmarks/src/gpu-check.ts), the CLIP encoder's images/s per EP, then `pnpm bench kernels` once
# per EP (MMVP_BENCH_EP=cpu|webgpu|cuda; the ort rows include host<->device copies). About 5-8
# minutes on an idle machine. Paste the tables into packages/kernels/README.md with the machine named.
#
# Optional: MMVP_GPU_CHECK_MODEL=<a CLIP model folder> adds a larger encoder to the per-EP table;
# ONNXRUNTIME_NODE_INSTALL_CUDA=v12 must have been set when onnxruntime-node was installed for the
# cuda EP to exist at all (this workspace installs without it: cuda shows "did not start").
set -u
out="${1:-${OUT:-gpu-check-out}}"
mkdir -p "$out"
log="$out/gpu-check.log"
{
  echo "# gpu-check $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null)"
  nvidia-smi 2>&1 | head -15 || echo "nvidia-smi: not available"
  ls /usr/lib/x86_64-linux-gnu/libvulkan.so.1 2>&1
  echo
  timeout 300 pnpm --filter @mmvp/benchmarks exec tsx src/gpu-check.ts 2>&1
  for ep in cpu webgpu cuda; do
    echo
    echo "## pnpm bench kernels with MMVP_BENCH_EP=$ep"
    MMVP_BENCH_EP=$ep timeout 300 pnpm --filter @mmvp/benchmarks exec tsx run.ts kernels 2>&1 | grep -v '^\s*at '
  done
} | tee "$log"
echo "gpu-check: wrote $log"
