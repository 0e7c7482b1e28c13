#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-png.sh: vmscope PID --png on a live helper process with no display:
# the PNG is decoded and its size and colours checked; bad input fails
# cleanly and leaves no file behind.
# Usage: test-cli-png.sh VMSCOPE RENDER_HELPER PNG_CHECK [VMS_HELPER_32]
set -u
VMSCOPE=$1 HELPER=$2 CHECK=$3 HELPER32=${4:-}
unset DISPLAY WAYLAND_DISPLAY
dir=$(mktemp -d "${TMPDIR:-/tmp}/vms-cli-png-XXXXXX") || exit 99
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# The helper maps 256 MiB read-write and 256 MiB PROT_NONE at 0x200000000000.
mkfifo "$dir/in"
"$HELPER" <"$dir/in" >"$dir/ready" &
hpid=$!
exec 3>"$dir/in"
cleanup() { exec 3>&-; wait "$hpid" 2>/dev/null; rm -rf "$dir"; }
for _ in $(seq 50); do
  grep -q ready "$dir/ready" 2>/dev/null && break
  kill -0 "$hpid" 2>/dev/null || break
  sleep 0.1
done
if ! grep -q ready "$dir/ready"; then
  echo "SKIP: the helper could not map its fixed addresses"
  cleanup
  exit 77
fi

# The whole space, default layout (compressed for 64-bit): the program's
# image, its stack, the helper's private mapping and free space all show.
if "$VMSCOPE" "$hpid" --png "$dir/whole.png" --size 1000x700 2>"$dir/err"; then
  "$CHECK" "$dir/whole.png" 1000 700 image stack private=20 private:reserved=20 free=100 || fail "whole-space PNG"
else
  fail "vmscope --png exited $?: $(cat "$dir/err")"
fi

# Linear, the helper's 512 MiB in view: half committed, half reserved.
if "$VMSCOPE" "$hpid" --png "$dir/range.png" --size 800x600 --layout linear \
    --range 0x200000000000-0x200020000000 2>"$dir/err"; then
  "$CHECK" "$dir/range.png" 800 600 private=50000 private:reserved=50000 || fail "range PNG"
else
  fail "vmscope --range --png exited $?: $(cat "$dir/err")"
fi

# SVG and PDF from the same routine.
"$VMSCOPE" "$hpid" --png "$dir/map.svg" --size 800x600 2>/dev/null && head -c 5 "$dir/map.svg" | grep -q '<?xml' ||
  fail "SVG export"
"$VMSCOPE" "$hpid" --png "$dir/map.pdf" --size 800x600 2>/dev/null && head -c 5 "$dir/map.pdf" | grep -q '%PDF-' ||
  fail "PDF export"

# A 32-bit process, its whole 4 GB in the linear layout: the helper's
# one-page mappings (private, shared) still show.
if [ -n "$HELPER32" ]; then
  mkfifo "$dir/in32"
  "$HELPER32" layout <"$dir/in32" >"$dir/ready32" &
  h32=$!
  exec 4>"$dir/in32"
  for _ in $(seq 50); do
    grep -q ready "$dir/ready32" 2>/dev/null && break
    sleep 0.1
  done
  if "$VMSCOPE" "$h32" --png "$dir/4g.png" --size 1000x700 --layout linear 2>"$dir/err"; then
    "$CHECK" "$dir/4g.png" 1000 700 private shareable image free=1000 || fail "32-bit PNG"
  else
    fail "vmscope --png of a 32-bit process exited $?: $(cat "$dir/err")"
  fi
  exec 4>&-
  wait "$h32" 2>/dev/null
else
  echo "no 32-bit helper: the 4 GB view is checked by the unit tests only"
fi

# Bad input: a message, a non-zero exit, no file.
bad() {
  why=$1 out=$2
  shift 2
  if "$VMSCOPE" "$hpid" --png "$out" "$@" >"$dir/out" 2>"$dir/err"; then
    fail "$why: exit 0"
  elif [ ! -s "$dir/err" ]; then
    fail "$why: no message"
  else
    echo "ok: $why: $(head -n 1 "$dir/err")"
  fi
  case $out in
    "$dir"/*) [ -e "$out" ] && [ ! -d "$out" ] && fail "$why: $out left behind" ;;
  esac
  return 0
}
bad "size 0x600" "$dir/a.png" --size 0x600
bad "size beyond cairo" "$dir/a.png" --size 40000x100
bad "start above end" "$dir/a.png" --range 0x5000-0x1000
bad "range outside the space" "$dir/a.png" --range 0x1000-0xffffffffffffff
bad "a directory" "$dir"
bad "a missing directory" "$dir/none/a.png"
bad "an unwritable place" /proc/vmscope-a.png
if [ -c /dev/full ]; then
  bad "/dev/full" /dev/full
  [ -c /dev/full ] || fail "/dev/full is no longer a device"
fi
# A write cut short half way (a file size limit standing in for a full disk).
# The signal the kernel sends for it is left as it is: vmscope must not die
# of it, but report the error and remove its temporary file.
( ulimit -f 1; exec "$VMSCOPE" "$hpid" --png "$dir/cut.png" --size 800x600 ) 2>"$dir/err"
rc=$?
[ "$rc" -eq 8 ] || fail "a write cut short: exit $rc, not 8 (I/O error)"
[ -e "$dir/cut.png" ] && fail "a write cut short: cut.png left behind"
grep -q "File too large" "$dir/err" || fail "a write cut short: the message does not say why: $(cat "$dir/err")"
leftovers=$(find "$dir" -name '*.tmp' | wc -l)
[ "$leftovers" -eq 0 ] || fail "$leftovers temporary files left behind"

cleanup
[ "$fails" -eq 0 ] && echo "all facts hold" && exit 0
exit 1
