#!/usr/bin/env bash
# Two lightning-store binaries side by side: runs `lightning-bench store` with each in turns, so that both
# see the same machine (its speed drifts by up to 20% within an hour here). Prints one table row per run,
# prefixed with the binary's name. PostgreSQL must be running (scripts/pg.sh start). WORKLOAD and ROLLOUTS
# choose the shape (simple) and the rollouts per run (20000).
# Usage: scripts/bench-store-ab.sh BINARY_A BINARY_B [RUNNERS=64] [SPANS=direct|uploader] [PAIRS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n 2,5p "$0" >&2; exit 2; }
a=$1 b=$2 runners=${3:-64} spans=${4:-direct} pairs=${5:-3}
for _ in $(seq "$pairs"); do
  for binary in "$a" "$b"; do
    row=$(.build/release/lightning-bench store --store-binary "$binary" --database-url "$(scripts/pg.sh url)" \
      --pg-data .pg/data --workload "${WORKLOAD:-simple}" --rollouts "${ROLLOUTS:-20000}" --runners "$runners" --spans "$spans" 2>/dev/null | tail -n 1)
    echo "$(basename "$binary") $(date +%T) $row"
  done
done
