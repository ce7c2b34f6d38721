#!/usr/bin/env bash
# Training throughput on SmolLM2-135M's shapes: `lightning-bench open-model train` (the real SmolLM2,
# full fine-tuning and LoRA rank 16 on all linear layers) beside the same steps in JAX on CPU
# (Tools/reference/jax_llama_bench.py), 4 sequences of 256 tokens, each measurement in its own process,
# REPEAT times; BENCHMARKS.md gets the medians between the bench-llama-train markers. Part of
# `make bench-model` (LLAMA_TRAIN=0 leaves it out); runs alone as `scripts/bench-llama-train.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
REPEAT=${REPEAT:-3}
SCRATCH=${SWIFT_SCRATCH_PATH:-.build}
python3 -c "import jax" 2>/dev/null || python3 -m pip install -q jax
swift build -c release --scratch-path "$SCRATCH" --product lightning-bench >&2
model=$(scripts/install-model.sh)
results=${RESULTS:-$(mktemp)}
for run in $(seq "$REPEAT"); do
  for mode in full lora; do
    rank=0; [ "$mode" = lora ] && rank=16
    "$SCRATCH/release/lightning-bench" open-model train --model "$model" --sequences 4 --prompt 256 --repeats 3 \
      --lora-rank "$rank" --no-checkpoint | sed "s/^{/{\"mode\":\"$mode\",/" | tee -a "$results"
    python3 - "$mode" <<'PY' | tee -a "$results"
import io, contextlib, json, re, resource, sys
sys.path.insert(0, "Tools/reference")
import jax_llama_bench
out = io.StringIO()
with contextlib.redirect_stdout(out):
    jax_llama_bench.bench(sys.argv[1], 4, 256, steps=3)
rate = float(re.search(r"([0-9.]+) tok/s", out.getvalue()).group(1))
print(json.dumps({"kind": "jax-train", "mode": sys.argv[1], "tokens_per_s": rate,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
PY
  done
done
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
section=$(mktemp)
python3 - "$results" "$REPEAT" "$(nproc)" "$cpu" "$(free -g | awk '/Mem:/ {print $2}')" "$(date -u +%Y-%m-%d)" \
  "$(python3 -c 'import jax; print(jax.__version__)')" >"$section" <<'PY'
import json, statistics, sys
path, repeat, cores, cpu, memory, day, jax_version = sys.argv[1:8]
rows = [json.loads(l) for l in open(path) if l.startswith("{")]
med = lambda kind, mode, field: statistics.median(r[field] for r in rows if r["kind"] == kind and r["mode"] == mode)
print("<!-- bench-llama-train:start -->")
print(f"Command: `make bench-model` (or `scripts/bench-llama-train.sh` alone), median of {repeat} runs, each measurement in its own")
print(f"process. Machine: {cores} cores ({cpu}), {memory} GiB, {day}. One AdamW step (forward, backward, clipping, update) on 4")
print("sequences of 256 tokens with SmolLM2-135M's shapes: ours on the real SmolLM2 (`lightning-bench open-model train`, dequantized")
print(f"to float, every activation kept), JAX {jax_version} on CPU (`Tools/reference/jax_llama_bench.py`, jitted, random weights of")
print("the same shapes). LoRA: rank 16 on all seven linear layers of each block, the base frozen.")
print()
print("| training | ours tok/s | JAX tok/s | ours / JAX | ours peak MiB | JAX peak MiB |")
print("|---|---|---|---|---|---|")
for mode, label in (("full", "full fine-tuning"), ("lora", "LoRA rank 16")):
    ours, jax = med("open-train", mode, "tokens_per_s"), med("jax-train", mode, "tokens_per_s")
    print(f"| {label} | {ours:.0f} | {jax:.0f} | {ours / jax:.2f}× | {med('open-train', mode, 'peak_mib'):.0f} | "
          f"{med('jax-train', mode, 'peak_mib'):.0f} |")
print("<!-- bench-llama-train:end -->")
PY
scripts/write-benchmarks.py bench-llama-train "Training SmolLM2 beside JAX" "$section"
