#!/usr/bin/env bash
# The one prepared run for a lent NVIDIA GPU (numba-cuda, CuPy, pytest and hypothesis preinstalled; no network).
# Installs minispore without dependencies, runs the GPU tests, checks CPU-vs-GPU bit-identity at 2^24 elements,
# runs the guide's examples on the GPU, and benchmarks; everything lands in OUTDIR (summary.json and logs).
# Usage: scripts/gpu_check.sh OUTDIR        (about 5 minutes on an H200)
# Under NUMBA_ENABLE_CUDASIM=1 it runs the same steps at toy sizes, to check the script itself.
set -uo pipefail
out=${1:?usage: scripts/gpu_check.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/.."
status=0
step() {  # step NAME TIMEOUT COMMAND...: run, log to OUTDIR/NAME.log, remember failures
  local name=$1 limit=$2; shift 2
  echo "== $name"
  timeout "$limit" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  tail -n 5 "$out/$name.log"
  echo "$name rc=$rc" | tee -a "$out/steps.txt"
  [ "$rc" -eq 0 ] || status=1
}

if [ "${NUMBA_ENABLE_CUDASIM:-0}" != "0" ]; then
  elements=4096; tiny=--tiny; rounds=2; tests="tests/test_rng.py tests/test_backend.py"; examples="07"
else
  elements=16777216; tiny=; rounds=20; tests="tests"; examples=""
  nvidia-smi > "$out/nvidia-smi.txt" 2>&1
fi

step install 120 python -m pip install --no-deps --no-build-isolation -e .
step tests 240 python -m pytest -q -k GPU $tests
step examples 120 python examples/run_all.py --device GPU $examples
step bench 240 python benchmarks/gpu.py "$out/summary.json" --elements "$elements" --rounds "$rounds" $tiny
echo "== done: $( [ $status -eq 0 ] && echo PASS || echo FAIL ) (summary: $out/summary.json)"
exit $status
