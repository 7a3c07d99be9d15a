#!/usr/bin/env bash
# Installs the Debian packages lwai builds and tests with (toolchains, QEMU, gn, ninja),
# only those missing, so `make setup` is fast on a machine that has them; then fetches the
# cJSON sources the cross builds of the JSON loader compile (scripts/fetch_cjson.sh).
set -euo pipefail
PKGS="make gcc libc6-dev python3-venv tmux curl
      gcc-arm-none-eabi libnewlib-arm-none-eabi
      gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
      qemu-system-arm qemu-user
      generate-ninja ninja-build libcjson-dev flatbuffers-compiler
      clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "lwai setup: installing Debian packages:$missing"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    # shellcheck disable=SC2086
    $SUDO apt-get install -y --no-install-recommends $missing
fi
"$(dirname "$0")/fetch_cjson.sh"
