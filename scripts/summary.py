"""Prints a training run's validation success before and after RL, from its metrics.jsonl."""
import json
import sys

metrics = {row["step"]: row["metrics"] for row in map(json.loads, open(sys.argv[1]))}
if not metrics:
    sys.exit("no metrics recorded: see the logs in .lightning/run/")
before, last = metrics[0], max(metrics)
after = metrics[last]
for key, label in (("val_success_rate", "greedy"), ("val_t1_success_rate", "temperature 1")):
    if key in before and key in after:
        print(f"validation success ({label}): {before[key]:.0%} before RL -> {after[key]:.0%} after {last} steps")
