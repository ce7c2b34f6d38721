#!/usr/bin/env bash
# Simulated machines for tests (needs root): network namespaces joined by veth links to one bridge in
# the root namespace, like hosts on one switch. Namespace i is NAME-i at 10.231.SUBNET.i; the root
# namespace is 10.231.SUBNET.254 on the bridge, so the test process reaches every machine.
#
#   scripts/netns.sh up NAME SUBNET COUNT    create NAME-1 … NAME-COUNT
#   scripts/netns.sh down NAME COUNT         remove them (also what a crashed run left)
#   scripts/netns.sh cut NAME I              unplug machine I's cable; `mend` plugs it back
# NAME is at most 8 characters: interface names are NAME-br and NAME-vI (15 characters at most).
#
# On a Docker host the bridge's frames pass iptables' FORWARD chain (Docker loads br_netfilter and sets
# the chain's policy to DROP), so `up` accepts traffic between the bridge's own ports there and `down`
# removes that rule again; elsewhere nothing touches iptables.
set -euo pipefail
command=${1:?usage: $0 up|down|cut|mend NAME ...}; name=${2:?name}
bridge="$name-br"
forward_rule=(FORWARD -i "$bridge" -o "$bridge" -m comment --comment "lightning-netns $name" -j ACCEPT)
iptables_present() { command -v iptables >/dev/null 2>&1 && iptables -S FORWARD >/dev/null 2>&1; }

case "$command" in
  up)
    subnet=${3:?subnet}; count=${4:?count}
    ip link add "$bridge" type bridge
    ip addr add "10.231.$subnet.254/24" dev "$bridge"
    ip link set "$bridge" up
    for i in $(seq "$count"); do
      ip netns add "$name-$i"
      ip link add "$name-v$i" type veth peer name "$name-p$i"
      ip link set "$name-v$i" master "$bridge" up
      ip link set "$name-p$i" netns "$name-$i"
      ip -n "$name-$i" link set "$name-p$i" name eth0
      ip -n "$name-$i" addr add "10.231.$subnet.$i/24" dev eth0
      ip -n "$name-$i" link set eth0 up
      ip -n "$name-$i" link set lo up
    done
    if iptables_present && ! iptables -C "${forward_rule[@]}" 2>/dev/null; then iptables -I "${forward_rule[@]}"; fi
    ;;
  down)
    count=${3:?count}
    for i in $(seq "$count"); do
      ip netns pids "$name-$i" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
      ip netns del "$name-$i" 2>/dev/null || true
      ip link del "$name-v$i" 2>/dev/null || true
    done
    ip link del "$bridge" 2>/dev/null || true
    if iptables_present; then while iptables -D "${forward_rule[@]}" 2>/dev/null; do :; done; fi
    ;;
  cut) ip link set "$name-v${3:?machine}" down ;;
  mend) ip link set "$name-v${3:?machine}" up ;;
  *) echo "usage: $0 up|down|cut|mend NAME ..." >&2; exit 2 ;;
esac
