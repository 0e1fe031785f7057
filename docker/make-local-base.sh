#!/usr/bin/env bash
# Makes the local stand-in for the public runtime-deps base image when no image registry is
# reachable: a Debian minbase root filesystem from the machine's own apt mirror, imported into
# podman as localhost/broker-base:bookworm. Idempotent: does nothing when the image exists.
set -euo pipefail
image="${1:-localhost/broker-base:bookworm}"
if podman image exists "$image"; then
  echo "base image $image already present"
  exit 0
fi
mirror=$(grep -hoE '^(URIs:|deb) *\S+' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
  | grep -v security | awk '{print $NF}' | grep -E '^https?://' | head -n1 || true)
mirror="${mirror:-http://deb.debian.org/debian}"
root=$(mktemp -d /var/tmp/broker-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
# minbase is apt + dpkg + libc: what runtime-deps needs (libc, libstdc++ via apt's dependencies,
# ca-certificates is added by the Containerfile). The host's mirror is the only one reachable.
debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" >/dev/null
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | podman import --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
echo "base image $image imported"
