#!/usr/bin/env bash
# What `npm run test:image` needs before Jest starts, installed or made only when missing:
# - Debian packages: buildah, podman, runc, debootstrap (containers), openssl (the test's API
#   server certificates), frr, frr-pythontools, iproute2 (the router FRR the pod peers with);
# - podman's settings for these machines (scripts/image-env.sh);
# - the base image of every variant in test/image/variants.ts (scripts/base-image.sh; cached).
# Runs as root. Idempotent: a second run only checks.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ "$(id -u)" = 0 ] || { echo "$0: must run as root (apt-get, debootstrap, podman)" >&2; exit 1; }

readonly PACKAGES=(buildah podman runc debootstrap openssl frr frr-pythontools iproute2)

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for package in "${PACKAGES[@]}"; do
  is_installed "$package" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi
for tool in podman buildah runc debootstrap openssl vtysh; do
  command -v "$tool" >/dev/null || { echo "$0: $tool missing after install" >&2; exit 1; }
done

scripts/image-env.sh >/dev/null

# The Debian releases of the variants, read from the one list (test/image/variants.ts).
mapfile -t releases < <(grep -oE "debianRelease: '[a-z]+'" test/image/variants.ts | grep -oE "'[a-z]+'" | tr -d "'" | sort -u)
[ "${#releases[@]}" -gt 0 ] || { echo "$0: no variant found in test/image/variants.ts" >&2; exit 1; }
for release in "${releases[@]}"; do
  scripts/base-image.sh "$release" >/dev/null
done
