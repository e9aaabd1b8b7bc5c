#!/usr/bin/env bash
# A throw-away FRR for `npm start` to apply to: its own network namespace (only `lo`, so the seed
# example's peers are unreachable and nothing leaves the machine) and its own FRR pathspace.
# Needs root and FRR (apt-get install -y frr frr-pythontools iproute2).
#   scripts/demo-frr.sh start | stop | status
set -euo pipefail
name=frr-renderer-demo
dir=/etc/frr/$name

start() {
  ip netns add "$name" 2>/dev/null || true
  ip -n "$name" link set lo up
  # Forwarding on, as on a Kubernetes node; otherwise FRR shows "no ip forwarding" lines.
  ip netns exec "$name" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  mkdir -p "$dir"
  cat > "$dir/daemons" <<DAEMONS
bgpd=yes
bfdd=yes
vtysh_enable=yes
zebra_options=" -A 127.0.0.1 -s 90000000"
bgpd_options=" -A 127.0.0.1"
bfdd_options=" -A 127.0.0.1"
staticd_options=" -A 127.0.0.1"
watchfrr_options="--netns"
DAEMONS
  echo "service integrated-vtysh-config" > "$dir/vtysh.conf"
  [ -f "$dir/frr.conf" ] || : > "$dir/frr.conf"
  chown -R frr:frr "$dir"
  /usr/lib/frr/frrinit.sh start "$name"
  echo "demo FRR running: vtysh -N $name -c 'show running-config'"
}

stop() {
  /usr/lib/frr/frrinit.sh stop "$name" || true
  ip netns del "$name" 2>/dev/null || true
  rm -rf "$dir" "/var/run/frr/$name"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) vtysh -N "$name" -c 'show bgp summary' ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
