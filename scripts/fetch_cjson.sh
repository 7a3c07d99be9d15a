#!/usr/bin/env bash
# Fetches the cJSON sources the JSON model loader compiles on cross targets (the Armv7-A
# Linux and Cortex-M boards have no system libcjson): Debian's copy of the upstream release
# tarball, checked against a pinned SHA-256, unpacked into build/third_party/cJSON-<version>
# (build/ is git-ignored; cJSON is never committed). Does nothing when already there.
#
#   scripts/fetch_cjson.sh [DEST_DIR]      # default: <repo>/build/third_party
set -euo pipefail
CJSON_VERSION=1.7.19
CJSON_SHA256=7fa616e3046edfa7a28a32d5f9eacfd23f92900fe1f8ccd988c1662f30454562
URL="http://deb.debian.org/debian/pool/main/c/cjson/cjson_${CJSON_VERSION}.orig.tar.gz"

repo="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$repo/build/third_party}"
tree="$dest/cJSON-$CJSON_VERSION"
if [ -f "$tree/cJSON.c" ] && [ -f "$tree/cJSON.h" ]; then
    exit 0
fi

mkdir -p "$dest"
tmp="$(mktemp -d "$dest/.fetch-cjson.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "lwai setup: fetching cJSON $CJSON_VERSION into $tree"
if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$tmp/cjson.tar.gz" "$URL"
else
    wget -q -O "$tmp/cjson.tar.gz" "$URL"
fi
# The tarball is plain HTTP: the pinned checksum is what makes it trustworthy.
echo "$CJSON_SHA256  $tmp/cjson.tar.gz" | sha256sum -c --quiet -
tar -xzf "$tmp/cjson.tar.gz" -C "$tmp"
if [ ! -f "$tmp/cJSON-$CJSON_VERSION/cJSON.c" ]; then
    echo "lwai setup: cJSON tarball has no cJSON-$CJSON_VERSION/cJSON.c" >&2
    exit 1
fi
# Unpacked aside and moved in one step, so an interrupted run leaves no half tree.
rm -rf "$tree"
mv "$tmp/cJSON-$CJSON_VERSION" "$tree"
