#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's first command: set up, start the demo target (a program that
# fragments its address space the way long-running interpreters do), and
# show it with vmscope: the window when there is a display, otherwise the
# summary and a PNG of the map.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh

demo=build/demo/vmscope-demo
[ -x build/demo/vmscope-demo-32 ] && demo=build/demo/vmscope-demo-32
out=$(mktemp -d "${TMPDIR:-/tmp}/vmscope.XXXXXX")
"$demo" >"$out/demo.log" 2>&1 &
demo_pid=$!
trap 'kill $demo_pid 2>/dev/null || true' EXIT INT TERM
# Let it build up some fragmentation first.
sleep 3

echo "vmscope: demo target $demo, PID $demo_pid (its progress: $out/demo.log)"
build/vmscope "$demo_pid" --summary
if build/vmscope "$demo_pid" --png "$out/map.png" 2>/dev/null; then
  echo "vmscope: map written to $out/map.png"
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${VMSCOPE_NO_WINDOW:-}" ]; then
  build/vmscope "$demo_pid"
fi
