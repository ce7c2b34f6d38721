#!/usr/bin/env bash
# `make bench-runner`: the runner's overhead per rollout with a no-op agent (1, 4, 16 workers) and OTLP
# ingest spans/s end to end into PostgreSQL, against a release lightning-store on the private PostgreSQL.
# The median of three runs per row goes into BENCHMARKS.md between the bench-runner markers.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/python-deps.sh
scripts/pg.sh start
trap 'scripts/pg.sh stop' EXIT
swift build -c release --product lightning-store
swift build -c release --product lightning-bench
REPEAT=${REPEAT:-3}
runs=$(mktemp)
for _ in $(seq "$REPEAT"); do
  .build/release/lightning-bench runner --database-url "$(scripts/pg.sh url)" | tee -a "$runs"
done
rows=$(mktemp)
python3 - "$runs" "$REPEAT" >"$rows" <<'PY'
import collections, sys
groups = collections.defaultdict(list)
for line in open(sys.argv[1]):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) >= 4:
        groups[(cells[0], cells[1])].append((float(cells[3].split()[0]), cells))
for key, runs in groups.items():
    runs.sort()
    print("| " + " | ".join(runs[len(runs) // 2][1]) + " |")
PY
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
section=$(mktemp)
{
  echo "<!-- bench-runner:start -->"
  echo "Command: \`make bench-runner\` (median of $REPEAT runs per row). Machine: $(nproc) cores ($cpu), $(date -u +%Y-%m-%d)."
  echo "Runner rows: an in-process runner with the no-op agent against one store process; per rollout per worker is"
  echo "dequeue → heartbeat → resources → agent → spans → finish, i.e. the runner's own overhead. OTLP row: pre-encoded"
  echo "protobuf bodies posted to the store's /v1/traces over keep-alive blocking sockets (one per sender), timed until every span is in PostgreSQL."
  echo
  echo "| what | concurrency | amount | throughput | detail |"
  echo "|---|---|---|---|---|"
  cat "$rows"
  echo "<!-- bench-runner:end -->"
} >"$section"
scripts/write-benchmarks.py bench-runner "Runner and OTLP ingest" "$section"
