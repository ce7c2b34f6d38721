#!/usr/bin/env bash
# Trains one built-in task end to end on this machine: the private PostgreSQL, then lightning-store,
# lightning-algorithm (trainer + model host) and lightning-runner as separate processes, exactly as a
# deployment runs them. Used by `make run` and `make bench-train`.
#
#   scripts/train-run.sh TASK STEPS 'SETTINGS_JSON' [JOB_ID]
#
# Environment: BUILD=release|debug (release), SCRATCH (.build: the build's scratch path, so that two
# checkouts on one machine build and run apart), RUN_DIR (.lightning/run), RUNNER_WORKERS (16),
# SWIFT_BUILD_FLAGS (e.g. "-j 1" on a shared machine), KEEP_RUNNING=1 leaves the store and runner up
# afterwards (`make stop` ends them), WATCH=1 shows lightning-ctl watch's progress bar instead of the
# trainer's log lines and the metrics (both stay in $RUN_DIR),
# STORE_PORT (5555), MODEL_PORT (8000), HTTP_PORT (4318), MODEL (an open-weight model to serve and
# train instead of the project's GPT: a .gguf file or Hugging Face folder). Logs go to $RUN_DIR/*.log; the job's
# metrics are printed as JSON lines at the end (step, metrics) and written to $RUN_DIR/metrics.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
task=${1:?task}; steps=${2:?steps}; settings=${3:-"{}"}
job=${4:-"$task-$(date -u +%Y%m%d-%H%M%S)"}
BUILD=${BUILD:-release}; SCRATCH=${SCRATCH:-.build}; RUN_DIR=${RUN_DIR:-.lightning/run}
STORE_PORT=${STORE_PORT:-5555}; MODEL_PORT=${MODEL_PORT:-8000}; HTTP_PORT=${HTTP_PORT:-4318}
mkdir -p "$RUN_DIR"
scripts/pg.sh start >/dev/null
swift build -c "$BUILD" --scratch-path "$SCRATCH" ${SWIFT_BUILD_FLAGS:-} >/dev/null
bin=$SCRATCH/$BUILD
database_url=$(scripts/pg.sh url)
store="tcp://127.0.0.1:$STORE_PORT"
pids=()
# Newest first: the runner drains while the store still answers, then the store stops.
stop() { for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; wait "${pids[i]}" 2>/dev/null || true; done; }
[ "${KEEP_RUNNING:-0}" = 1 ] || trap stop EXIT

LIGHTNING_DATABASE_URL=$database_url LIGHTNING_STORE_ENDPOINT="tcp://127.0.0.1:$STORE_PORT" \
  LIGHTNING_EVENTS_ENDPOINT="tcp://127.0.0.1:$((STORE_PORT + 1))" LIGHTNING_HTTP_PORT=$HTTP_PORT LIGHTNING_HTTP_HOST=127.0.0.1 \
  "$bin/lightning-store" >"$RUN_DIR/store.log" 2>&1 &
pids+=($!)
echo $! >"$RUN_DIR/store.pid"
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

"$bin/lightning-runner" --store "$store" --agent "$task" --workers "${RUNNER_WORKERS:-16}" >"$RUN_DIR/runner.log" 2>&1 &
pids+=($!)
echo $! >"$RUN_DIR/runner.pid"
echo "training $task for $steps steps as job $job (logs in $RUN_DIR/; dashboard http://127.0.0.1:$HTTP_PORT/)"
started=$(date +%s)
train=("$bin/lightning-algorithm" train --store "$store" --task "$task" --steps "$steps" --config "$settings" --job-id "$job"
  --name "trainer-$job" --port "$MODEL_PORT" --host 127.0.0.1 --checkpoint-dir .lightning/checkpoints ${MODEL:+--model "$MODEL"})
if [ "${WATCH:-0}" = 1 ]; then
  # For a person at the terminal: the services log to files, the terminal shows lightning-ctl watch's
  # progress bar (step, reward, time left).
  "${train[@]}" >"$RUN_DIR/algorithm.log" 2>&1 &
  trainer=$!
  for _ in $(seq 600); do
    "$bin/lightning-ctl" --store "$store" job "$job" >/dev/null 2>&1 && break
    kill -0 "$trainer" 2>/dev/null || break
    sleep 0.5
  done
  "$bin/lightning-ctl" --store "$store" watch "$job" || true
  wait "$trainer" || true
else
  "${train[@]}" 2>&1 | tee "$RUN_DIR/algorithm.log" |
    grep --line-buffered -E 'warm-up|step done|validation|job (finished|failed)|error' || true
fi
echo "wall time: $(( $(date +%s) - started )) s"
psql "$database_url" -Atc "SELECT json_build_object('step', step, 'metrics', metrics) FROM job_metrics WHERE job_id = '$job' ORDER BY step" \
  >"$RUN_DIR/metrics.jsonl"
[ "${WATCH:-0}" = 1 ] || cat "$RUN_DIR/metrics.jsonl"
psql "$database_url" -Atc "SELECT 'job ' || job_id || ': ' || status || coalesce(' (' || error || ')', '') FROM jobs WHERE job_id = '$job'"
