#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian/Ubuntu packages vmscope needs (only those missing),
# then configures and builds it in build/.
#   scripts/setup.sh          what building and running need
#   scripts/setup.sh --test   also what the test suite needs (Xvfb, Wine with wine32, MinGW...)
set -eu
cd "$(dirname "$0")/.."

run_pkgs="gcc libc6-dev meson ninja-build pkg-config libgtk-3-dev libcairo2-dev"
test_pkgs="gcc-multilib procps util-linux xvfb xauth xdotool x11-utils imagemagick
  mingw-w64 wine wine64 at-spi2-core dbus-x11 adwaita-icon-theme
  desktop-file-utils appstream clang-format fonts-dejavu-core fonts-wine
  dpkg-dev debhelper lintian fakeroot man-db prometheus prometheus-node-exporter curl time
  openssh-server openssh-client zip unzip librsvg2-bin icoutils"
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
  # The tests run Prometheus, node_exporter and sshd themselves, on 127.0.0.1, for
  # as long as they need them: their packages must not also start system
  # services listening on every interface. A policy-rc.d that says "not
  # now" (exit 101) keeps the install from starting any, if none is there.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy"
    trap '$sudo rm -f "$policy"' EXIT
  fi
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
  [ -n "$policy" ] && $sudo rm -f "$policy"
  trap - EXIT
fi

# 32-bit Windows programs under Wine need wine32, from Debian's i386
# architecture; without it scripts/wine-test.sh skips the 32-bit tests and
# says so. Added only on an amd64 host where it is missing.
if [ "${1:-}" = "--test" ] && [ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ] &&
   ! dpkg-query -W -f='${Status}' wine32:i386 2>/dev/null | grep -q "install ok installed"; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""
  elif command -v sudo >/dev/null 2>&1; then sudo="sudo"
  else sudo="none"
  fi
  if [ "$sudo" = none ]; then
    echo "vmscope setup: wine32 is missing and I am not root; the 32-bit Windows tests will be skipped" >&2
  else
    echo "vmscope setup: installing wine32:i386 (adding the i386 architecture)"
    export DEBIAN_FRONTEND=noninteractive
    dpkg --print-foreign-architectures | grep -qx i386 || $sudo dpkg --add-architecture i386
    if ! { $sudo apt-get update -qq &&
           $sudo apt-get install -y -qq --no-install-recommends wine32:i386 >/dev/null; }; then
      echo "vmscope setup: wine32:i386 could not be installed; the 32-bit Windows tests will be skipped" >&2
    fi
  fi
fi

if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=debugoptimized >/dev/null
fi
meson compile -C build >/dev/null
echo "vmscope setup: built build/vmscope"
