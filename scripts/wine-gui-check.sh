#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# wine-gui-check.sh: starts the Windows build with the window under Wine on a
# Windows helper process, on a private Xvfb display, and checks what the
# window shows against the helper's own VirtualQuery walk of itself.
#
#   scripts/wine-gui-check.sh [BUILDDIR [SCREENSHOT.png]]
#     BUILDDIR    default build-win64-gtk (configured as docs/windows.md says)
#     SCREENSHOT  default BUILDDIR/wine-window.png
#
# With the build's vmscope-gui-test.exe (the window with the test hook of
# ui/vms-test-hook.h, which writes what the window shows to a file) it
# checks: a window titled with the helper's PID; a default and a monospace
# font that draw every glyph of an address and a size; a region table that holds every
# region of the helper's walk that is not free, with its start and end; an
# export made by clicking the header bar's Export button and the file
# chooser's, typed into its name box, that png-check.exe decodes with the
# map's colours; an export over a read-only file that the window reports
# as failed, the file left as it was; the exit banner once the helper has
# exited; and a window on a PID no process has that says so.
#
# VMS_WINE_GUI_EXE runs another vmscope.exe (an unpacked bundle's) against
# the same helper, its DLLs beside it and no WINEPATH; having no test hook,
# its window is checked for its title and the map's colours on screen, and
# the same exe's --summary must be the helper's, with no DLL Wine's loader
# could not load. VMS_WINEPREFIX names the Wine prefix (scripts/wine-env.sh). Exits 0 when every check held, 1 when one did not (with
# what was seen), 77 when Xvfb or xdotool is missing.
set -u
cd "$(dirname "$0")/.."
build=${1:-build-win64-gtk}
shot=${2:-$build/wine-window.png}
hooked=""
if [ -n "${VMS_WINE_GUI_EXE:-}" ]; then exe=$VMS_WINE_GUI_EXE
elif [ -f "$build/ui/vmscope-gui-test.exe" ]; then exe=$build/ui/vmscope-gui-test.exe hooked=1
else exe=$build/vmscope.exe
fi
png_check=$build/tests/png-check.exe
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
# 7>&-: vmscope must not hold the helper's standard input open, or the
# helper would never see it close.
# An unpacked bundle's window lets Wine's loader errors through (a DLL missing).
wdebug=-all
[ -z "$hooked" ] && wdebug=-all,err+module
VMS_TEST_HOOK_FILE=$(winepath -w "$tmp/hook") WINEDEBUG=$wdebug wine "$exe" "$pid" >"$tmp/vmscope.out" 2>&1 7>&- &
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
fail() {
  echo "wine-gui-check: $*" >&2
  [ -f "$tmp/hook" ] && sed 's/^/  hook: /' "$tmp/hook" | grep -v '^  hook: row' | head -n 40 >&2
  sed 's/^/  vmscope: /' "$tmp/vmscope.out" | head -n 40 >&2
  exit 1
}
# The hook's file is rewritten whole every half second; hook_wait PATTERN
# waits (up to about 30 s) for a line matching it.
hook_wait() {
  n=0
  while ! grep -q "$1" "$tmp/hook" 2>/dev/null && [ $n -lt 60 ]; do sleep 0.5; n=$((n + 1)); done
  grep -q "$1" "$tmp/hook" 2>/dev/null
}
# hook_click KIND LABEL [TITLE]: clicks the middle of the first visible
# widget of that kind and label (in the window of that title).
hook_click() {
  line=$(awk -F '\t' -v k="$1" -v l="$2" -v t="${3:-}" \
    '$2 == k && $3 == l && (t == "" || substr($1, 8) == t) { print; exit }' "$tmp/hook")
  [ -n "$line" ] || return 1
  set -- $(printf '%s\n' "$line" | awk -F '\t' '{ print int($4 + $6 / 2), int($5 + $7 / 2) }')
  xdotool mousemove "$1" "$2" click 1
}

title=$(xdotool getwindowname "$win")
if [ -z "$hooked" ]; then
  # Let the first sample arrive and the window draw it: the screenshot
  # must hold the map's colours (png-check is the build's, on its DLLs).
  sleep 5
  import -window root "$shot" 2>/dev/null || xwd -root -display "$DISPLAY" | convert xwd:- "$shot"
  title=$(xdotool getwindowname "$win")
  case $title in "vms-win-helper.exe ($pid)"*) ;; *) fail "the window is titled \"$title\"" ;; esac
  cross=$(scripts/build-windows-gtk.sh --print) || exit 1
  WINEPATH="$(winepath -w "$(dirname "$cross")/prefix/bin")" wine "$png_check" \
    "$(winepath -w "$shot")" 1280 800 image=500 heap=20 stack=20 private=100 >"$tmp/png.out" 2>&1 || {
    cat "$tmp/png.out" >&2
    fail "the window \"$title\" does not show the map's colours (screenshot $shot)"
  }
  echo "wine-gui-check: window \"$title\" after $(($(date +%s) - t0)) s shows the map's colours; screenshot $shot"
  # The same exe on the command line: the summary of the helper, and not
  # one DLL Wine could not load (its loader's errors are let through).
  WINEDEBUG=-all,err+module wine "$exe" "$pid" --summary --format json >"$tmp/summary.out" 2>"$tmp/summary.err" 7>&-
  rc=$?
  [ "$rc" -eq 0 ] || { cat "$tmp/summary.err" >&2; fail "$exe $pid --summary exited $rc"; }
  ! grep -q 'err:module' "$tmp/summary.err" "$tmp/vmscope.out" ||
    fail "Wine's loader could not load a DLL: $(grep -h 'err:module' "$tmp/summary.err" "$tmp/vmscope.out" | head -n 3)"
  grep -q "\"pid\":$pid," "$tmp/summary.out" && grep -q '"name":"vms-win-helper.exe"' "$tmp/summary.out" ||
    fail "the summary is not the helper's: $(head -c 300 "$tmp/summary.out")"
  echo "wine-gui-check: $exe $pid --summary: the helper's, $(wc -c <"$tmp/summary.out") bytes of JSON"
  exit 0
fi

hook_wait '^row ' || fail "the window's table shows no region (no test hook file, or an empty table)"
sleep 1
import -window root "$shot" 2>/dev/null || xwd -root -display "$DISPLAY" | convert xwd:- "$shot"
tr -d '\r' <"$tmp/hook" >"$tmp/hook.now"

# Every glyph of an address and a size in the default font: a font the
# prefix lacks shows boxes; the table's addresses are in monospace.
glyphs=$(awk '$1 == "glyphs" && $2 == "default" { print $3 }' "$tmp/hook.now")
mono=$(awk '$1 == "glyphs" && $2 == "monospace" { print $3 }' "$tmp/hook.now")
[ "$glyphs" = 0 ] || fail "the default font lacks $glyphs glyphs of \"0x00007ff0deadbeef 1.5 GiB\""
[ "$mono" = 0 ] || fail "the monospace font lacks $mono glyphs of \"0x00007ff0deadbeef 1.5 GiB\""

# Every region of the helper's walk that is not free is a row with its
# start and end (the table's addresses, read as numbers).
tr -d '\r' <"$tmp/helper.out" | awk '$1 == "region" && $4 != "0x10000" { print $2, $3 }' |
  while read -r base size; do
    printf '%x %x\n' "$((base))" "$((base + size))"
  done >"$tmp/walk"
awk -F '\t' '$1 ~ /^row / { s = substr($1, 5); e = $2
    sub(/^(0x)?0*/, "", s); sub(/^(0x)?0*/, "", e); print tolower(s), tolower(e) }' \
  "$tmp/hook.now" >"$tmp/rows"
want=$(wc -l <"$tmp/walk")
missing=$(grep -vxF -f "$tmp/rows" "$tmp/walk" | head -n 5)
[ "$want" -gt 10 ] || fail "the helper's walk has only $want regions that are not free"
[ -z "$missing" ] || fail "regions of the helper's walk missing from the table (start end): $missing"
echo "wine-gui-check: window \"$title\" after $(($(date +%s) - t0)) s; table holds all $want" \
  "regions of the helper's walk that are not free ($(wc -l <"$tmp/rows") rows);" \
  "both fonts draw every glyph; screenshot $shot"

# Export: the header bar's Export button, then the file chooser. Under
# Wine 8 GTK gets no key presses that need the keyboard layout (Return,
# Ctrl+E: docs/windows.md), so the dialog's buttons are clicked; typed
# characters do arrive.
hook_click button _Export "$title" || fail "the test hook shows no Export button in \"$title\""
hook_wait 'Export Map as PNG	button	_Export' || fail "no export dialog after clicking Export"
sleep 1
# The name box holds the suggested extension, the cursor before it.
xdotool type --delay 20 "$(winepath -w "$tmp")\\export"
sleep 1
tr -d '\r' <"$tmp/hook" >"$tmp/hook.now"
grep -q "^widget Export Map as PNG	entry	.*\\\\export.png	" "$tmp/hook.now" ||
  fail "the export dialog's name box did not take the typed path"
hook_click button _Export "Export Map as PNG" || fail "the export dialog has no Export button"
n=0
while ! grep -q '^status Saved the map' "$tmp/hook" 2>/dev/null && [ $n -lt 60 ]; do
  sleep 0.5
  n=$((n + 1))
done
grep -q '^status Saved the map' "$tmp/hook" || fail "the status line never said the map was saved"
[ -s "$tmp/export.png" ] || fail "the status line says saved but $tmp/export.png is missing"
# The dialog's default size is 1920 x 1200; the helper's space has images,
# heaps, stacks, private and mapped memory, each drawn in its colour.
wine "$png_check" "$(winepath -w "$tmp/export.png")" 1920 1200 image=2000 heap=500 stack=500 \
  private=500 mapped=200 >"$tmp/png.out" 2>&1 || {
  cat "$tmp/png.out" >&2
  fail "the exported PNG does not hold the map's colours"
}
echo "wine-gui-check: Export wrote a 1920x1200 PNG with the map's colours ($(wc -c <"$tmp/export.png") bytes)"

# An export over a read-only file: the chooser asks to replace it, and
# the window must say the export failed and leave the file as it was.
printf 'kept\n' >"$tmp/locked.png"
chmod 444 "$tmp/locked.png"
sleep 1
hook_click button _Export "$title" || fail "no Export button for the second export"
hook_wait 'Export Map as PNG	button	_Export' || fail "no export dialog for the second export"
sleep 1
xdotool type --delay 20 "$(winepath -w "$tmp")\\locked"
sleep 1
# The name box offers "locked.png" in a completion popup, which takes the
# first click away: click Export until the chooser asks (at most 3 times).
n=0
while ! grep -q '	button	_Replace	' "$tmp/hook" 2>/dev/null && [ $n -lt 3 ]; do
  hook_click button _Export "Export Map as PNG" || fail "the second export dialog has no Export button"
  sleep 2
  n=$((n + 1))
done
hook_wait '	button	_Replace	' || fail "the chooser did not ask to replace the read-only file"
hook_click button _Replace || fail "no Replace button to click"
hook_wait '^banner Export failed' || fail "no \"Export failed\" banner for a read-only file"
[ "$(cat "$tmp/locked.png")" = kept ] || fail "the read-only file was replaced"
printf 'wine-gui-check: an export over a read-only file: %s; the file is as it was\n' \
  "$(grep '^banner' "$tmp/hook" | cut -c8- | tr -d '\r')"

# The helper exits when its standard input closes: the exit banner.
exec 7>&-
hook_wait '^banner Process .* exited' || fail "no exit banner after the helper exited"
echo "wine-gui-check: exit banner: $(grep '^banner' "$tmp/hook" | cut -c8- | tr -d '\r')"
kill "$vms_pid" 2>/dev/null
wait "$vms_pid" 2>/dev/null

# A PID no process has (Windows' are multiples of 4): the window says so.
rm -f "$tmp/hook"
VMS_TEST_HOOK_FILE=$(winepath -w "$tmp/hook") wine "$exe" 99999 >"$tmp/vmscope.out" 2>&1 7>&- &
vms_pid=$!
hook_wait '^banner There is no process 99999' || fail "no \"There is no process\" banner for PID 99999"
printf 'wine-gui-check: PID 99999: %s\n' "$(grep '^banner' "$tmp/hook" | cut -c8- | tr -d '\r')"
exit 0
