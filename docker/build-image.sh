#!/usr/bin/env bash
# Builds the broker image without an image registry: the NativeAOT binary is published on the
# host (cached by a hash of the sources) into artifacts/container/, the base is made locally
# (make-local-base.sh), and docker/Containerfile takes both (BINARY_FROM=prebuilt).
#   docker/build-image.sh [image-tag]        (default localhost/kafka-broker:latest)
# The publish runs on a copy of the sources so it never touches the solution's bin/ and obj/,
# and under /work/build.lock where that shared lock exists (waiting at most 15 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-localhost/kafka-broker:latest}"
base="${BASE:-localhost/broker-base:bookworm}"
out=artifacts/container

./docker/make-local-base.sh "$base"

hash=$( { find src -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.def' -o -name '*.props' -o -name '*.json' \) \
            -not -path '*/bin/*' -not -path '*/obj/*' | sort | xargs sha1sum; sha1sum Directory.Build.props Directory.Packages.props; } | sha1sum | cut -c1-16)
if [ "$(cat "$out/source.hash" 2>/dev/null)" != "$hash" ] || [ ! -x "$out/Broker" ]; then
  work=$(mktemp -d /var/tmp/broker-publish.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  tar --exclude='*/bin' --exclude='*/obj' -cf - src Directory.Build.props Directory.Packages.props | tar -C "$work" -xf -
  publish=(dotnet publish "$work/src/Broker" -c Release -r linux-x64 -o "$work/out" -nologo -v quiet)
  start=$(date +%s)
  if [ -e /work/build.lock ]; then
    flock -w 900 /work/build.lock "${publish[@]}" || { echo "publish under /work/build.lock failed" >&2; exit 1; }
  else
    "${publish[@]}"
  fi
  echo "NativeAOT publish took $(( $(date +%s) - start )) s"
  mkdir -p "$out"
  cp "$work/out/Broker" "$out/Broker"
  echo "$hash" > "$out/source.hash"
fi
podman build -q -f docker/Containerfile --build-arg BASE="$base" --build-arg BINARY_FROM=prebuilt -t "$tag" . >/dev/null
echo "image $tag: $(podman image inspect "$tag" --format '{{.Size}}') bytes; binary $(stat -c %s "$out/Broker") bytes"
