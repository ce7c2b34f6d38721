#!/usr/bin/env bash
# Training throughput on SmolLM2-135M's shapes: `lightning-bench open-model train` (the real SmolLM2,
# full fine-tuning and LoRA rank 16 on all linear layers) beside the same steps in JAX on CPU
# (Tools/reference/jax_llama_bench.py), 4 sequences of 256 tokens, each measurement in its own process,
# REPEAT times; prints the JSON lines and the medians. Part of `make bench-model`.
set -euo pipefail
cd "$(dirname "$0")/.."
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
python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
for mode in ("full", "lora"):
    ours = [r for r in rows if r["kind"] == "open-train" and r["mode"] == mode]
    jax = [r for r in rows if r["kind"] == "jax-train" and r["mode"] == mode]
    o, j = statistics.median(r["tokens_per_s"] for r in ours), statistics.median(r["tokens_per_s"] for r in jax)
    print(f"{mode}: ours {o:.1f} tok/s (peak {statistics.median(r['peak_mib'] for r in ours):.0f} MiB), "
          f"JAX {j:.1f} tok/s (peak {statistics.median(r['peak_mib'] for r in jax):.0f} MiB), ratio {o / j:.2f}x")
PY
