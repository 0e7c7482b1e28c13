#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian/Ubuntu packages vmscope needs (only those missing),
# then configures and builds it in build/.
#   scripts/setup.sh          what building and running need
#   scripts/setup.sh --test   also what the test suite needs (Xvfb, Wine, MinGW...)
set -eu
cd "$(dirname "$0")/.."

run_pkgs="gcc libc6-dev meson ninja-build pkg-config libgtk-3-dev libcairo2-dev"
test_pkgs="gcc-multilib procps util-linux xvfb xauth xdotool x11-utils imagemagick
  mingw-w64 wine wine64 at-spi2-core dbus-x11 adwaita-icon-theme
  desktop-file-utils appstream fonts-dejavu-core fonts-wine"
pkgs=$run_pkgs
[ "${1:-}" = "--test" ] && pkgs="$pkgs $test_pkgs"

missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "vmscope setup: installing$missing"
  if [ "$(id -u)" -eq 0 ]; then sudo=""
  elif command -v sudo >/dev/null 2>&1; then sudo="sudo"
  else
    echo "vmscope setup: these packages are missing and I am not root: apt-get install$missing" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=debugoptimized >/dev/null
fi
meson compile -C build >/dev/null
echo "vmscope setup: built build/vmscope"
