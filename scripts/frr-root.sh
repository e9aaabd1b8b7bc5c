#!/usr/bin/env bash
# Builds (or reuses) a Debian root holding FRR from another Debian suite, for the real-FRR tests:
#
#   scripts/frr-root.sh trixie     # FRR 10.3 (Debian 13)
#   scripts/frr-root.sh sid        # the newest FRR Debian has (unstable)
#   scripts/frr-root.sh bookworm   # FRR 8.4.4 (Debian 12), for tests of FRR's default instance
#
# Prints the root's path on stdout (progress goes to stderr). The host's own FRR (Debian 12's
# 8.4.4) is never touched: the other release lives in its own root and runs there by chroot, so
# the host's C library is never replaced (../shared/reference/frr-versions.md).
#
# A root is reused when its stamp holds the same inputs (suite, packages, this script's recipe
# version); otherwise it is built again in a temporary folder and moved into place only when
# complete, so an interrupted build never leaves a half root that looks finished.
# Roots live in $FRR_ROOTS_DIR (default /var/cache/frr-renderer/roots), one folder per suite.
set -euo pipefail

readonly RECIPE=1
readonly PACKAGES="frr frr-pythontools iproute2 python3 procps"
readonly MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
readonly ROOTS_DIR="${FRR_ROOTS_DIR:-/var/cache/frr-renderer/roots}"

suite="${1:-}"
case "$suite" in
  bookworm | trixie | sid) ;;
  *) echo "usage: $0 bookworm|trixie|sid" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "$0: must run as root (debootstrap, chroot)" >&2; exit 1; }

root="$ROOTS_DIR/$suite"
stamp_inputs="recipe=$RECIPE suite=$suite packages=$PACKAGES mirror=$MIRROR"

if [ -f "$root/.frr-renderer-root" ] && [ "$(head -n 1 "$root/.frr-renderer-root")" = "$stamp_inputs" ]; then
  echo "reusing $root ($(sed -n 2p "$root/.frr-renderer-root"))" >&2
  echo "$root"
  exit 0
fi

if ! command -v debootstrap >/dev/null; then
  echo "installing debootstrap" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap >&2 || {
    apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap >&2
  }
fi

mkdir -p "$ROOTS_DIR"
work="$(mktemp -d "$ROOTS_DIR/.build-$suite-XXXXXX")"
chmod 755 "$work"   # mktemp makes it 0700: FRR's daemons drop to user frr and must reach /
cleanup() {
  # Mounts made by debootstrap (proc, sys) must go before the folder can.
  for m in $(awk -v w="$work" '$2 ~ "^"w {print $2}' /proc/self/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "building a Debian $suite root with FRR in $work (a few minutes)" >&2
# sid's Release file on the mirror is past its Valid-Until date: apt must be told to accept it.
apt_opts=()
[ "$suite" = sid ] && apt_opts=(-o Acquire::Check-Valid-Until=false)
debootstrap --variant=minbase "$suite" "$work" "$MIRROR" >&2
# No service may start inside the root while packages install.
printf '#!/bin/sh\nexit 101\n' > "$work/usr/sbin/policy-rc.d"
chmod +x "$work/usr/sbin/policy-rc.d"
chroot "$work" apt-get "${apt_opts[@]}" update >&2
# shellcheck disable=SC2086 # PACKAGES is a list of words
chroot "$work" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y --no-install-recommends $PACKAGES >&2
chroot "$work" apt-get clean >&2
version="$(chroot "$work" dpkg-query -W -f='${Version}' frr)"
for m in $(awk -v w="$work" '$2 ~ "^"w {print $2}' /proc/self/mounts | sort -r); do umount -l "$m"; done
printf '%s\nfrr %s\n' "$stamp_inputs" "$version" > "$work/.frr-renderer-root"

rm -rf "$root"
mv "$work" "$root"
trap - EXIT
echo "built $root (frr $version)" >&2
echo "$root"
