#!/usr/bin/env bash
# The podman/buildah settings the image test uses on these machines, written once into the image
# cache folder and printed as shell assignments (../shared/reference/containers-here.md):
#
#   eval "$(scripts/image-env.sh)"; podman images      # look at what test:image built or cached
#
# - runtime runc (crun fails here: "cgroups in hybrid mode not supported"), cgroupfs;
# - empty default_ulimits (the defaults cannot be set here); runs pass `--ulimit host`;
# - storage driver overlay (native, measured on these machines' ext4: a build with every layer
#   cached takes 4 s, against 60 s with vfs, which copies every layer) in a storage of its own
#   ($FRR_RENDERER_IMAGE_CACHE/overlay), so the cached base images and build layers never mix with
#   any other podman use of the machine. FRR_RENDERER_IMAGE_DRIVER=vfs where overlay is missing;
# - log driver k8s-file and file events: `podman logs` works without journald.
set -euo pipefail

readonly CACHE="${FRR_RENDERER_IMAGE_CACHE:-/var/cache/frr-renderer/image}"
readonly RUNROOT="${FRR_RENDERER_IMAGE_RUNROOT:-/run/frr-renderer-image}"
readonly DRIVER="${FRR_RENDERER_IMAGE_DRIVER:-overlay}"

mkdir -p "$CACHE"
containers_conf="$CACHE/containers.conf"
storage_conf="$CACHE/storage.conf"

# Written to a temporary file and renamed: a concurrent reader never sees half a file.
write_if_changed() {
  local path="$1" text="$2"
  if [ ! -f "$path" ] || [ "$(cat "$path")" != "$text" ]; then
    printf '%s\n' "$text" > "$path.tmp.$$"
    mv -f "$path.tmp.$$" "$path"
  fi
}

write_if_changed "$containers_conf" "# Written by scripts/image-env.sh
[containers]
default_ulimits = []
log_driver = \"k8s-file\"
[engine]
cgroup_manager = \"cgroupfs\"
runtime = \"runc\"
events_logger = \"file\""

write_if_changed "$storage_conf" "# Written by scripts/image-env.sh
[storage]
driver = \"$DRIVER\"
graphroot = \"$CACHE/$DRIVER\"
runroot = \"$RUNROOT/$DRIVER\""

printf 'export CONTAINERS_CONF=%q\n' "$containers_conf"
printf 'export CONTAINERS_STORAGE_CONF=%q\n' "$storage_conf"
