#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# wine-gui-check.sh: starts the Windows build with the window under Wine on a
# Windows helper process, on a private Xvfb display, waits for the window
# titled with the helper's PID and saves a screenshot of it.
#
#   scripts/wine-gui-check.sh [BUILDDIR [SCREENSHOT.png]]
#     BUILDDIR    default build-win64-gtk (configured as docs/windows.md says)
#     SCREENSHOT  default BUILDDIR/wine-window.png
#
# VMS_WINE_GUI_EXE runs another vmscope.exe (an unpacked bundle's) against
# the same helper; its DLLs must then sit beside it. Exits 0 when the
# window appeared, 1 when it did not (with vmscope's stderr), 77 when Xvfb
# or xdotool is missing.
set -u
cd "$(dirname "$0")/.."
build=${1:-build-win64-gtk}
shot=${2:-$build/wine-window.png}
exe=${VMS_WINE_GUI_EXE:-$build/vmscope.exe}
helper=$build/tests/windows/vms-win-helper.exe
helper_dll=$build/tests/windows/vms-win-helper-dll.dll
for tool in Xvfb xdotool import; do
  command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool is not installed (setup.sh --test)"; exit 77; }
done
[ -f "$exe" ] && [ -f "$helper" ] || { echo "wine-gui-check: $exe or $helper is missing" >&2; exit 1; }

. scripts/wine-env.sh
if [ -z "${VMS_WINE_GUI_EXE:-}" ]; then
  cross=$(scripts/build-windows-gtk.sh --print) || exit 1
  WINEPATH="$(winepath -w "$(dirname "$cross")/prefix/bin")"
  export WINEPATH
fi

tmp=$(mktemp -d)
xvfb_pid="" helper_pid="" vms_pid=""
cleanup() {
  [ -n "$vms_pid" ] && kill "$vms_pid" 2>/dev/null
  [ -n "$helper_pid" ] && kill "$helper_pid" 2>/dev/null
  exec 7>&- 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# A display of our own: Xvfb picks a free number and writes it to fd 5.
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp -noreset 5>"$tmp/display" 2>"$tmp/xvfb.log" &
xvfb_pid=$!
i=0
while [ ! -s "$tmp/display" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$tmp/display" ] || { echo "wine-gui-check: Xvfb did not start" >&2; cat "$tmp/xvfb.log" >&2; exit 1; }
DISPLAY=:$(cat "$tmp/display")
export DISPLAY

# The helper waits until its standard input closes: a FIFO held open on fd 7.
mkfifo "$tmp/in"
wine "$helper" "$(winepath -w "$helper_dll")" <"$tmp/in" >"$tmp/helper.out" 2>&1 &
helper_pid=$!
exec 7>"$tmp/in"
i=0
while ! grep -q '^ready' "$tmp/helper.out" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
pid=$(tr -d "\r" <"$tmp/helper.out" | awk '$1 == "pid" { print $2 }')
[ -n "$pid" ] || { echo "wine-gui-check: the helper did not start" >&2; cat "$tmp/helper.out" >&2; exit 1; }

t0=$(date +%s)
wine "$exe" "$pid" >"$tmp/vmscope.out" 2>&1 &
vms_pid=$!
win=""
i=0
while [ -z "$win" ] && [ $i -lt 120 ]; do
  sleep 0.5
  i=$((i + 1))
  win=$(xdotool search --name "\\($pid\\)" 2>/dev/null | head -n 1)
  kill -0 "$vms_pid" 2>/dev/null || break
done
if [ -z "$win" ]; then
  echo "wine-gui-check: no window titled with PID $pid appeared" >&2
  cat "$tmp/vmscope.out" >&2
  exit 1
fi
# Let the first sample arrive and the window draw it.
sleep 5
title=$(xdotool getwindowname "$win")
import -window root "$shot" 2>/dev/null || xwd -root -display "$DISPLAY" | convert xwd:- "$shot"
echo "wine-gui-check: window \"$title\" after $(($(date +%s) - t0)) s; screenshot $shot"
exit 0
