#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-win-recording.sh: a recording reads the same on Linux and on Windows, both ways.
#
# usage: test-win-recording.sh VMSCOPE.exe WIN-HELPER.exe WIN-HELPER-DLL.dll WIN-DEMO.exe
#
# The format is little-endian with fixed-width fields whatever the writer's
# word size (docs/recording-format.md). So: vmscope.exe under Wine records
# the Windows helper (a static layout of every type) and the Windows demo
# while it fragments (delta frames with changes) and saves a snapshot; the
# Linux vmscope must print for each file exactly what vmscope.exe prints
# (CRLF made LF, nothing else). Then the other way: the Linux vmscope
# records the Linux helper (odd file names, a region mapped and another
# mapped and unmapped while it records) and saves it with smaps counters;
# vmscope.exe must print what the Linux build prints. Outputs: --summary,
# --regions, --timeline, --barriers, --diff (two frames, and a frame against
# the snapshot), --at a middle frame, in table, CSV and JSON, and the fit
# question and the text map. Last, recordings
# made up by make-forecast-recording whose timeline forecast x87 arithmetic
# (a 32-bit build without SSE2 math) gets a digit wrong.
#
# It needs both builds: the Linux one is $VMS_LINUX_BUILD (scripts/wine-test.sh
# sets it to the ordinary build folder); without it the test is skipped.
set -u
if [ $# -ne 4 ]; then
  echo "usage: test-win-recording.sh VMSCOPE.exe WIN-HELPER.exe WIN-HELPER-DLL.dll WIN-DEMO.exe" >&2
  exit 2
fi
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
exe=$(abs "$1") helper=$(abs "$2") dll=$(abs "$3") demo=$(abs "$4")
lin=${VMS_LINUX_BUILD:-}
if [ -z "$lin" ] || [ ! -x "$lin/vmscope" ] || [ ! -x "$lin/tests/vms-helper" ] ||
  [ ! -x "$lin/tests/make-forecast-recording" ]; then
  echo "SKIP: no Linux build to compare with (VMS_LINUX_BUILD='$lin' holds no vmscope," \
    "tests/vms-helper and tests/make-forecast-recording; scripts/wine-test.sh sets it to" \
    "build/ when that is built)"
  exit 77
fi
if ! "$lin/vmscope" --version >/dev/null 2>&1; then
  echo "SKIP: $lin/vmscope does not run here"
  exit 77
fi
lvms=$lin/vmscope

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vms-win-recording.XXXXXX") || exit 1
fail=0
cleanup() {
  for fd in 7 8 9; do eval "exec $fd>&-" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1

# wait_for FILE WORD: until a line of FILE starts with WORD (30 s at most).
wait_for() {
  i=0
  while ! tr -d '\r' <"$1" | grep -q "^$2"; do
    i=$((i + 1))
    if [ "$i" -gt 300 ]; then
      echo "FAIL: $1 never printed '$2':"
      cat "$1" "${1%.out}.err"
      return 1
    fi
    sleep 0.1
  done
}

# A program whose standard input is a FIFO held open on descriptor FD: it
# runs until the descriptor closes.
start_held() {
  fd=$1 name=$2
  shift 2
  mkfifo "$name.in"
  "$@" <"$name.in" >"$name.out" 2>"$name.err" &
  eval "exec $fd>$name.in"
}

# compare FILE ARGS...: vmscope.exe and the Linux vmscope print the same for FILE ARGS.
ncompared=0
compare() {
  file=$1
  shift
  wine "$exe" "$file" "$@" >w.out 2>w.err
  wrc=$?
  "$lvms" "$file" "$@" >l.out 2>l.err
  lrc=$?
  tr -d '\r' <w.out >w.lf
  tr -d '\r' <w.err >w.errlf
  if [ "$wrc" -ne 0 ] || [ "$lrc" -ne 0 ]; then
    echo "FAIL: $file $*: exit $wrc under Wine ($(head -c 300 w.errlf)), $lrc on Linux ($(head -c 300 l.err))"
    fail=1
  elif [ ! -s l.out ]; then
    echo "FAIL: $file $*: no output"
    fail=1
  elif ! cmp -s w.lf l.out; then
    echo "FAIL: $file $*: vmscope.exe and the Linux vmscope print differently (< Windows, > Linux):"
    diff w.lf l.out | head -20
    fail=1
  fi
  ncompared=$((ncompared + 1))
}

# compare_all FILE SNAPSHOT MIDDLE: every output of FILE.
compare_all() {
  for fmt in table csv json; do
    compare "$1" --summary --format "$fmt"
    compare "$1" --regions --format "$fmt"
    compare "$1" --barriers --format "$fmt"
    compare "$1" --timeline --format "$fmt"
    compare "$1" --diff 0 last --format "$fmt"
    compare "$1" --diff 0 "$2" --format "$fmt"
    compare "$1" --at "$3" --summary --format "$fmt"
    compare "$2" --regions --format "$fmt"
    compare "$2" --summary --format "$fmt"
  done
  compare "$1" --summary --fit 48M --format json
  compare "$1" --map --size 120x40 --color never
}

# ---- Windows writes, Linux reads ----
start_held 7 whelper wine "$helper" "$(winepath -w "$dll")"
wait_for whelper.out ready || exit 1
wpid=$(tr -d '\r' <whelper.out | awk '$1 == "pid" { print $2 }')
wine "$exe" "$wpid" --record whelper.vmsrec --count 4 --interval 0.2 2>rec.err ||
  { echo "FAIL: vmscope.exe --record: $(cat rec.err)"; exit 1; }
wine "$exe" "$wpid" --save whelper-snap.vmsrec 2>rec.err ||
  { echo "FAIL: vmscope.exe --save: $(cat rec.err)"; exit 1; }
exec 7>&-

# The demo fragments its space for about two seconds: frames with changes.
start_held 8 wdemo wine "$demo" --rounds 80 --interval 25
wait_for wdemo.out vmscope-demo: || exit 1
dpid=$(tr -d '\r' <wdemo.out | sed -n 's/^vmscope-demo: pid \([0-9]*\),.*/\1/p')
wine "$exe" "$dpid" --record wdemo.vmsrec --count 10 --interval 0.25 2>rec.err ||
  { echo "FAIL: vmscope.exe --record of the demo: $(cat rec.err)"; exit 1; }
wait_for wdemo.out waiting: || exit 1
wine "$exe" "$dpid" --save wdemo-snap.vmsrec 2>rec.err ||
  { echo "FAIL: vmscope.exe --save of the demo: $(cat rec.err)"; exit 1; }
exec 8>&-
# A recording with changes has regions that changed from its first frame to its last.
"$lvms" wdemo.vmsrec --diff 0 last --format csv | grep -q '^appeared,' ||
  { echo "FAIL: the demo's recording shows no region appearing"; fail=1; }

compare_all whelper.vmsrec whelper-snap.vmsrec 2
compare_all wdemo.vmsrec wdemo-snap.vmsrec 5

# ---- Linux writes, Windows reads ----
mkdir files
start_held 9 lhelper "$lin/tests/vms-helper" files "$tmp/files" steps 400
wait_for lhelper.out ready || exit 1
lpid=$(awk '$1 == "pid" { print $2 }' lhelper.out)
"$lvms" "$lpid" --record lhelper.vmsrec --count 12 --interval 0.1 2>rec.err ||
  { echo "FAIL: vmscope --record: $(cat rec.err)"; exit 1; }
"$lvms" "$lpid" --save lhelper-snap.vmsrec --smaps 2>rec.err ||
  { echo "FAIL: vmscope --save --smaps: $(cat rec.err)"; exit 1; }
exec 9>&-
"$lvms" lhelper.vmsrec --diff 0 last --format csv | grep -q '^appeared,' ||
  { echo "FAIL: the Linux helper's recording shows no region appearing"; fail=1; }

compare_all lhelper.vmsrec lhelper-snap.vmsrec 6

# ---- the forecast's arithmetic ----
# Cases where x87 arithmetic prints another slope than IEEE double.
for case in 33011 58508 76506; do
  "$lin/tests/make-forecast-recording" "$case" forecast.vmsrec ||
    { echo "FAIL: make-forecast-recording $case"; exit 1; }
  for fmt in table json; do
    compare forecast.vmsrec --timeline --format "$fmt"
  done
done

echo "$ncompared outputs compared"
[ "$fail" -eq 0 ] && echo "OK: Windows and Linux read the recordings alike"
exit "$fail"
