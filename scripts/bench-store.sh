#!/usr/bin/env bash
# `make bench-store`: the store's full rollout lifecycle through real ZeroMQ and PostgreSQL, in two shapes,
# with one and two store processes on one database. Each configuration runs three times; the median run
# (by rollouts/s) goes into BENCHMARKS.md between the bench-store markers.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/pg.sh start
trap 'scripts/pg.sh stop' EXIT
swift build -c release --product lightning-store
swift build -c release --product lightning-bench
ROLLOUTS=${ROLLOUTS:-20000}
REPEAT=${REPEAT:-3}
rows=$(mktemp)
# shape, store processes, simulated runners, how spans are sent (direct calls, or lightning-runner's uploader)
for config in "simple 1 64 direct" "simple 1 64 uploader" "simple 1 256 direct" "simple 2 64 direct" "simple 2 64 uploader" \
  "agent-lightning 1 100 direct" "agent-lightning 2 100 direct"; do
  read -r shape stores runners spans <<<"$config"
  runs=$(mktemp)
  for _ in $(seq "$REPEAT"); do
    .build/release/lightning-bench store --database-url "$(scripts/pg.sh url)" --pg-data .pg/data \
      --stores "$stores" --workload "$shape" --rollouts "$ROLLOUTS" --runners "$runners" --spans "$spans" | tee -a "$runs"
  done
  sort -t'|' -k6 -n "$runs" | sed -n "$(( (REPEAT + 1) / 2 ))p" >>"$rows"
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
section=$(mktemp)
{
  echo "<!-- bench-store:start -->"
  echo "Command: \`make bench-store\` (ROLLOUTS=$ROLLOUTS, median of $REPEAT runs per row). Machine: $(nproc) cores ($cpu),"
  echo "$(free -g | awk '/Mem:/ {print $2}') GiB, PostgreSQL $(scripts/pg.sh status >/dev/null 2>&1; psql --version | awk '{print $3}') with durable commits"
  echo "(synchronous_commit on, fsync on), $(date -u +%Y-%m-%d). The benchmark client runs on the same two cores."
  echo
  echo "| shape | stores | runners | rollouts | rollouts/s | spans/s | dequeue p50 / p99 ms | add_spans p50 / p99 ms | store CPU ms/rollout | PostgreSQL CPU ms/rollout | client CPU ms/rollout | store peak MiB |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  cat "$rows"
  echo "<!-- bench-store:end -->"
} >"$section"
scripts/write-benchmarks.py bench-store "Store" "$section"
