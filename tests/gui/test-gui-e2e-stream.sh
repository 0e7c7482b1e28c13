#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-gui-e2e-stream.sh: the real `vmscope -` on a pipe from a real recorder, under Xvfb.
#
# Usage (inside run-xvfb.sh): test-gui-e2e-stream.sh VMSCOPE VMS_HELPER
# A helper that exits after 3 s is recorded with `vmscope PID --record -
# --interval 0.2` into a pipe that `vmscope -` reads: vmscope must become
# vmscope-gui by exec (the same process, the pipe still its standard
# input), its window titled with the helper and "from stdin"; once the
# recorder has ended with the helper the window must still be there (its
# banner says why, tests/gui/test-gui-stream.c checks which), and Ctrl+Q
# must end it with status 0.
set -u
VMSCOPE=$1 HELPER=$2
command -v xdotool >/dev/null 2>&1 || {
  echo "SKIP: xdotool is not installed (apt-get install xdotool)"
  exit 77
}
tmp=$(mktemp -d)
helper_pid='' rec_pid='' app_pid=''
cleanup() {
  for p in $app_pid $rec_pid $helper_pid; do kill "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
wait_for() {
  t=$1; shift
  i=0
  while [ $i -lt $((t * 10)) ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
export XDG_CONFIG_HOME="$tmp/config"

"$HELPER" exit-after 3000 >"$tmp/helper.out" 2>&1 </dev/null &
helper_pid=$!
wait_for 10 grep -q '^ready$' "$tmp/helper.out" || { echo "FAIL: the helper did not start"; exit 1; }
mkfifo "$tmp/frames"
"$VMSCOPE" - <"$tmp/frames" >"$tmp/app.out" 2>&1 &
app_pid=$!
"$VMSCOPE" "$helper_pid" --record - --interval 0.2 >"$tmp/frames" 2>"$tmp/rec.err" &
rec_pid=$!

title="vms-helper ($helper_pid · from stdin) — vmscope"
win=$(wait_for 20 xdotool search --onlyvisible --name "^vms-helper \\($helper_pid · from stdin\\)" &&
      xdotool search --onlyvisible --name "^vms-helper \\($helper_pid · from stdin\\)" | head -n 1)
if [ -z "$win" ]; then
  cat "$tmp/app.out" >&2
  fail "no window titled '$title'"
else
  got=$(xdotool getwindowname "$win")
  [ "$got" = "$title" ] || fail "the window is titled '$got', not '$title'"
  exe=$(readlink "/proc/$app_pid/exe")
  case $exe in
    */vmscope-gui) ;;
    *) fail "the window's process $app_pid runs '$exe', not vmscope-gui: no exec" ;;
  esac
  [ "$(xdotool getwindowpid "$win")" = "$app_pid" ] || fail "the window is not vmscope's process"
fi

# The helper exits, the recorder with it; the window stays with the stream's end.
wait "$rec_pid"
rec_rc=$?
rec_pid=
[ "$rec_rc" -eq 0 ] && grep -q "(the process exited)" "$tmp/rec.err" ||
  fail "the recorder ended with $rec_rc: $(cat "$tmp/rec.err")"
# Not a wait for a condition: the window outliving its stream is the fact.
sleep 1
kill -0 "$app_pid" 2>/dev/null || fail "the window ended with its stream: $(cat "$tmp/app.out")"
# VMS_TEST_SCREENSHOT=FILE keeps the screen with the end banner.
if [ -n "${VMS_TEST_SCREENSHOT:-}" ] && command -v import >/dev/null 2>&1; then
  import -window root "$VMS_TEST_SCREENSHOT"
fi
if [ -n "$win" ]; then
  xdotool windowfocus --sync "$win" 2>/dev/null || xdotool windowfocus "$win"
  xdotool key --window "$win" ctrl+q
fi
i=0
while kill -0 "$app_pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$app_pid" 2>/dev/null; then
  fail "Ctrl+Q did not end the window"
else
  wait "$app_pid"
  rc=$?
  app_pid=
  [ "$rc" -eq 0 ] || fail "the window exited with $rc: $(cat "$tmp/app.out")"
fi
[ ! -s "$tmp/app.out" ] || fail "the window said: $(cat "$tmp/app.out")"

if [ $failures -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "vmscope - on a live recorder: checked"
