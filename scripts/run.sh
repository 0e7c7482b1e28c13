#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's first command: set up, start the demo target (a program that
# fragments its address space the way long-running interpreters do) and
# record it with vmscope until its large allocation fails; then show how it
# got there: the window on the recording when there is a display, otherwise
# the timeline as text, the summary at the moment of failure and a PNG of
# the map then.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh

demo=build/demo/vmscope-demo
[ -x build/demo/vmscope-demo-32 ] && demo=build/demo/vmscope-demo-32
out=$(mktemp -d "${TMPDIR:-/tmp}/vmscope.XXXXXX")
"$demo" --interval 25 >"$out/demo.log" 2>&1 &
demo_pid=$!
rec_pid=""
trap 'kill $demo_pid $rec_pid 2>/dev/null || true' EXIT INT TERM

echo "vmscope: demo target $demo, PID $demo_pid (its progress: $out/demo.log)"
echo "vmscope: recording it every 0.1 s into $out/demo.vmsrec until an allocation fails..."
build/vmscope "$demo_pid" --record "$out/demo.vmsrec" --interval 0.1 2>"$out/record.log" &
rec_pid=$!
# The demo says "waiting" once its allocation failed (or its rounds ran out).
n=0
while ! grep -q '^waiting' "$out/demo.log" 2>/dev/null; do
  n=$((n + 1))
  if [ $n -gt 1200 ] || ! kill -0 "$demo_pid" 2>/dev/null; then
    echo "vmscope: the demo did not reach its end in two minutes: $(tail -n 2 "$out/demo.log")" >&2
    break
  fi
  sleep 0.1
done
sleep 0.3 # one more frame: the moment after the failure
kill -INT "$rec_pid" 2>/dev/null || true
wait "$rec_pid" 2>/dev/null || true
rec_pid=""
grep 'FAILED' "$out/demo.log" | sed 's/^/vmscope-demo: /' || true

echo
build/vmscope "$out/demo.vmsrec" --timeline
echo
echo "vmscope: the last frame, after the failure:"
build/vmscope "$out/demo.vmsrec" --summary
echo
echo "vmscope: what splits its free space (vmscope FILE --barriers has the rest):"
build/vmscope "$out/demo.vmsrec" --barriers | sed -n '1,9p'
if build/vmscope "$out/demo.vmsrec" --png "$out/map.png" 2>/dev/null; then
  echo "vmscope: the map at the failure written to $out/map.png"
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${VMSCOPE_NO_WINDOW:-}" ]; then
  build/vmscope "$demo_pid"
fi
