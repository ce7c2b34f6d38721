#!/usr/bin/env bash
# `make compose-test` (not yet in .ci/run): README's Docker section, command for command, through a real
# Docker engine on this machine. It starts dockerd if none runs (data under .docker/), builds the images
# offline (`make images`), brings the stack up with three runners and CurveZMQ, trains a short calc job
# while it kills a runner and then the store, checks every service's /healthz and /metrics, serves
# SmolLM2 from the model volume, refuses bad configuration clearly, runs the simulated-machines test
# beside Docker, and tears everything down, the host's iptables and sysctls included.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
say() { echo "compose-test: $* ($(( $(date +%s) - started )) s)"; }
fail() { echo "compose-test: FAILED: $*" >&2; exit 1; }

scripts/docker-engine.sh install
eval "$(scripts/docker-engine.sh start)"
export COMPOSE_PROJECT_NAME=lightning-compose-test
teardown() {
  local status=$?
  if [ $status -ne 0 ]; then
    docker compose ps -a || true
    for service in postgres keys store algorithm runner; do
      echo "--- last log lines of $service"
      docker compose logs --no-color --tail 25 "$service" 2>&1 || true
    done
  fi
  docker compose --profile tools down -v --remove-orphans >/dev/null 2>&1 || true
  scripts/docker-engine.sh stop
  say "torn down; FORWARD policy now: $(iptables -S FORWARD 2>/dev/null | head -n 1)"
  exit $status
}
trap teardown EXIT

# The README's commands must be the ones this test runs.
readme_command() { grep -qF -- "$1" README.md || fail "README's Docker section lacks: $1"; }
for line in 'make images' 'export POSTGRES_PASSWORD=$(openssl rand -hex 16)' 'docker compose up -d --wait --scale runner=3' \
  'docker compose run --rm ctl train --task calc --steps 6 --tasks-per-step 4 --group-size 4 --job-id calc-1' \
  'docker compose run --rm ctl watch calc-1' 'docker compose down -v'; do
  readme_command "$line"
done

make --no-print-directory images
say "images built"

export POSTGRES_PASSWORD=$(openssl rand -hex 16)
model_file=$(scripts/install-model.sh)
export LIGHTNING_MODELS_DIR
LIGHTNING_MODELS_DIR=$(dirname "$model_file")
docker compose up -d --wait --scale runner=3
say "up: $(docker compose ps --format '{{.Service}}' | sort | uniq -c | tr -s ' \n' ' ')"
network=$(docker network inspect "${COMPOSE_PROJECT_NAME}_default" --format '{{(index .IPAM.Config 0).Subnet}}')
[ "$network" = 10.233.0.0/24 ] || fail "the compose network is $network, not 10.233.0.0/24"
[ "$(docker compose ps -q runner | wc -l)" = 3 ] || fail "not three runners"

for url in http://127.0.0.1:4318/healthz http://127.0.0.1:4318/metrics http://127.0.0.1:8000/healthz http://127.0.0.1:8000/metrics; do
  curl -fsS "$url" >/dev/null || fail "$url does not answer"
done
curl -fsS http://127.0.0.1:4318/metrics | grep -q '^lightning_' || fail "the store's /metrics has no lightning_ series"
say "healthz and metrics of the store and the model host answer"

# CurveZMQ is on: a client without keys is not let in, one with the compose keys is.
if timeout 20 docker compose run --rm --no-deps -e LIGHTNING_CURVE_SECRET_KEY_FILE= -e LIGHTNING_CURVE_SERVER_KEY_FILE= \
  ctl jobs --timeout 5 >/dev/null 2>&1; then
  fail "a client without CurveZMQ keys got an answer from the store"
fi
# Runners show up as workers once they first ask for work (worker ids carry the container's hostname).
for _ in $(seq 30); do
  docker compose run --rm ctl workers >"$PWD/.docker/workers.txt" 2>&1 && ! grep -q "^no workers" "$PWD/.docker/workers.txt" && break
  sleep 2
done
grep -q "^no workers" "$PWD/.docker/workers.txt" && fail "ctl workers lists no runner: $(cat "$PWD/.docker/workers.txt")"

docker compose run --rm ctl train --task calc --steps 6 --tasks-per-step 4 --group-size 4 --job-id calc-1
step() { docker compose run --rm ctl job calc-1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["job"]["current_step"])'; }
wait_for_step() {
  for _ in $(seq 300); do [ "$(step 2>/dev/null || echo 0)" -ge "$1" ] && return; sleep 2; done
  fail "the job did not reach step $1"
}
hard_kill() { kill -9 "$(docker inspect -f '{{.State.Pid}}' "$1")"; }
wait_for_step 1
hard_kill "$(docker compose ps -q runner | head -n 1)"
say "killed a runner (SIGKILL) after step 1"
wait_for_step 3
hard_kill "$(docker compose ps -q store)"
say "killed the store (SIGKILL) after step 3; its restart policy brings it back"
timeout 1200 docker compose run --rm ctl watch calc-1 || true
docker compose run --rm ctl job calc-1 --json >"$PWD/.docker/job.json"
docker compose run --rm ctl rollouts --job calc-1 --status succeeded --mode train --json --limit 1 >"$PWD/.docker/rollouts.json"
python3 - "$PWD/.docker/job.json" "$PWD/.docker/rollouts.json" <<'EOF'
import json, sys
detail = json.load(open(sys.argv[1])); rollouts = json.load(open(sys.argv[2]))
job, metrics = detail["job"], detail["metrics"]
assert job["status"] == "succeeded", f"job {job['status']}: {job.get('error')}"
steps = sorted(m["step"] for m in metrics)
assert steps == list(range(job["current_step"] + 1)), f"each step's metrics once: {steps}"
counted = sum(m["values"].get("rollouts_succeeded", 0) for m in metrics)
assert rollouts["total"] == counted, f"{rollouts['total']} succeeded train rollouts, the steps counted {counted}"
print(f"compose-test: job calc-1 succeeded, {job['current_step']} steps, {int(counted)} train rollouts, each once")
EOF
[ "$(docker inspect -f '{{.RestartCount}}' "$(docker compose ps -q store)")" -ge 1 ] || fail "the store was not restarted"
say "trained through containers"

# The real model from the model volume: the algorithm service restarted on SmolLM2 serves it.
LIGHTNING_MODEL=/models/$(basename "$model_file") docker compose up -d --wait algorithm
model=$(curl -fsS http://127.0.0.1:8000/v1/models | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
[ "$model" != lightning-s ] || fail "the algorithm service still serves the GPT"
curl -sS http://127.0.0.1:8000/v1/chat/completions -H 'Content-Type: application/json' \
  -d '{"model":"'"$model"'","messages":[{"role":"user","content":"What is 2+3?"}],"max_tokens":8,"temperature":0}' >"$PWD/.docker/chat.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("compose-test: %s in compose says:" % sys.argv[2], repr(r["choices"][0]["message"]["content"]))' "$PWD/.docker/chat.json" "$model" ||
  fail "no answer from $model: $(cat "$PWD/.docker/chat.json")"
say "SmolLM2 served from the model volume"

# Bad configuration fails at once with the reason, from the service that needs it.
out=$(docker compose run --rm --no-deps -e LIGHTNING_CURVE_SECRET_KEY_FILE=/var/lib/lightning/keys/missing.secret runner 2>&1) &&
  fail "a runner without its key started"
grep -q "LIGHTNING_CURVE_SECRET_KEY_FILE names /var/lib/lightning/keys/missing.secret" <<<"$out" || fail "no clear message for a missing key: $out"
out=$(timeout 120 docker compose run --rm --no-deps -e LIGHTNING_DATABASE_PASSWORD_FILE= -e LIGHTNING_DATABASE_PASSWORD=wrong store 2>&1) &&
  fail "a store with the wrong password started"
grep -qi "password authentication failed" <<<"$out" || fail "no clear message for a wrong password: $(tail -n 5 <<<"$out")"
say "a missing key and a wrong password are refused with the reason"

# The simulated-machines test (network namespaces on a bridge) beside Docker's FORWARD DROP. dockerd sets
# DROP only when it turns ip_forward on itself; where forwarding was on already (this machine), the test
# sets it as such a Docker host has it, and the teardown restores the saved policy.
iptables -P FORWARD DROP
[ "$(iptables -S FORWARD | head -n 1)" = "-P FORWARD DROP" ] || fail "FORWARD is not DROP"
say "FORWARD policy with Docker up: $(iptables -S FORWARD | head -n 1)"
scripts/test.sh --filter MachinesTests
say "passed"
