#!/usr/bin/env bash
# `make bench-model`: the model's training and KV-cache decoding throughput against the same GPT in JAX
# on CPU (Tools/reference/jax_bench.py), both measured in this run beside the machine's cblas_sgemm
# rate, plus the latency the model host's HTTP layer adds and peak memory. Every measurement runs in a
# process of its own, REPEAT times; BENCHMARKS.md gets the medians between the bench-model markers.
# Then scripts/bench-open-model.sh measures SmolLM2 beside llama.cpp (OPEN_MODEL=0 leaves it out) and
# scripts/bench-llama-train.sh its training beside JAX (LLAMA_TRAIN=0 leaves it out).
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${REPEAT:-3}
SCRATCH=${SWIFT_SCRATCH_PATH:-.build}
scripts/install-deps.sh
python3 -c "import jax" 2>/dev/null || python3 -m pip install -q jax
swift build -c release --scratch-path "$SCRATCH" --product lightning-bench
bench="$SCRATCH/release/lightning-bench"
results=$(mktemp)

# cblas_sgemm of the system OpenBLAS (the library the model links), 1024 square, on 1 and 2 threads.
python3 - >>"$results" <<'PY'
import ctypes, ctypes.util, json, time
blas = ctypes.CDLL("libopenblas.so.0")
n = 1024
a, b, c = [(ctypes.c_float * (n * n))(*([0.5] * (n * n))) for _ in range(3)]
blas.cblas_sgemm.argtypes = [ctypes.c_int] * 6 + [ctypes.c_float, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                                                  ctypes.c_float, ctypes.c_void_p, ctypes.c_int]
for threads in (1, 2):
    blas.openblas_set_num_threads(threads)
    rates = []
    for _ in range(7):
        start = time.perf_counter()
        blas.cblas_sgemm(101, 111, 111, n, n, n, 1.0, a, n, b, n, 0.0, c, n)
        rates.append(2 * n ** 3 / (time.perf_counter() - start) / 1e9)
    print(json.dumps({"kind": "sgemm", "threads": threads, "gflops": sorted(rates)[len(rates) // 2]}))
PY

jax() {  # jax_bench.py function call; prints its line and the process's peak memory
  python3 - "$@" <<'PY'
import json, re, resource, sys, io, contextlib
sys.path.insert(0, "Tools/reference")
import jax_bench
what, arg = sys.argv[1], sys.argv[2]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    if what == "train":
        jax_bench.train_bench(arg, 128 if arg == "S" else 64, 128 if arg == "S" else 256, steps=5 if arg == "S" else 3)
    else:
        jax_bench.decode_bench(int(arg))
rate = float(re.search(r"([0-9.]+) tok/s", out.getvalue()).group(1))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
key = "size" if what == "train" else "batch"
print(json.dumps({"kind": "jax-" + what, key: arg if what == "train" else int(arg), "tokens_per_s": rate, "peak_mib": peak}))
PY
}

for run in $(seq "$REPEAT"); do
  echo "run $run of $REPEAT" >&2
  for size in S M; do
    "$bench" model train --size "$size" | tee -a "$results"
    jax train "$size" | tee -a "$results"
  done
  for batch in 1 8 64; do
    "$bench" model decode --size S --batch "$batch" | tee -a "$results"
    jax decode "$batch" | tee -a "$results"
  done
  "$bench" model http --size S | tee -a "$results"
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
section=$(mktemp)
python3 - "$results" "$REPEAT" "$(nproc)" "$cpu" "$(free -g | awk '/Mem:/ {print $2}')" "$(date -u +%Y-%m-%d)" \
  "$(python3 -c 'import jax; print(jax.__version__)')" >"$section" <<'PY'
import json, statistics, sys
path, repeat, cores, cpu, memory, day, jax_version = sys.argv[1:8]
rows = [json.loads(line) for line in open(path) if line.startswith("{")]
def med(kind, field, **match):
    values = [r[field] for r in rows if r["kind"] == kind and all(r.get(k) == v for k, v in match.items())]
    return statistics.median(values)
sgemm1, sgemm2 = med("sgemm", "gflops", threads=1), med("sgemm", "gflops", threads=2)
print("<!-- bench-model:start -->")
print(f"Command: `make bench-model` (median of {repeat} runs, each measurement in its own process). Machine: {cores} cores ({cpu}),")
print(f"{memory} GiB, {day}. JAX {jax_version} on CPU in the same run; `cblas_sgemm` (system OpenBLAS, 1024², as the model links it):")
print(f"**{sgemm1:.0f} GFLOP/s on 1 thread, {sgemm2:.0f} on 2**.")
print()
print("| training | batch | Swift tok/s | JAX tok/s | Swift / JAX | Swift GFLOP/s | MFU (of 2-thread sgemm) | Swift peak MiB | JAX peak MiB |")
print("|---|---|---|---|---|---|---|---|---|")
for size in ("S", "M"):
    swift, jaxr = med("train", "tokens_per_s", size=size), med("jax-train", "tokens_per_s", size=size)
    gflops = med("train", "gflops", size=size)
    batch = next(r["batch"] for r in rows if r["kind"] == "train" and r["size"] == size)
    print(f"| {size} | {batch} | {swift:.0f} | {jaxr:.0f} | {swift / jaxr:.2f}× | {gflops:.1f} | {gflops / sgemm2:.0%} | "
          f"{med('train', 'peak_mib', size=size):.0f} | {med('jax-train', 'peak_mib', size=size):.0f} |")
print()
print("| decode S (KV cache, prompt 16 + 112 new) | Swift tok/s | JAX tok/s | Swift / JAX | Swift peak MiB |")
print("|---|---|---|---|---|")
for batch in (1, 8, 64):
    swift, jaxr = med("decode", "tokens_per_s", batch=batch), med("jax-decode", "tokens_per_s", batch=batch)
    print(f"| batch {batch} | {swift:.0f} | {jaxr:.0f} | {swift / jaxr:.2f}× | {med('decode', 'peak_mib', batch=batch):.0f} |")
print()
inproc, http = med("http", "inprocess_p50_ms"), med("http", "http_p50_ms")
print("| model host, S, one-token completion, one request at a time | p50 ms |")
print("|---|---|")
print(f"| in-process `engine.complete` | {inproc:.3f} |")
print(f"| HTTP `POST /v1/completions` (loopback, keep-alive; p99 {med('http', 'http_p99_ms'):.3f}) | {http:.3f} |")
print(f"| **added by the HTTP layer** (target < 1 ms) | **{med('http', 'overhead_p50_ms'):.3f}** |")
print(f"| serving process peak memory | {med('http', 'peak_mib'):.0f} MiB |")
print("<!-- bench-model:end -->")
PY

scripts/write-benchmarks.py bench-model "Model" "$section"
[ "${OPEN_MODEL:-1}" = 0 ] || scripts/bench-open-model.sh
[ "${LLAMA_TRAIN:-1}" = 0 ] || scripts/bench-llama-train.sh
