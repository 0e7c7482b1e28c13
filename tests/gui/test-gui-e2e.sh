#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-gui-e2e.sh: the real vmscope binary used as a person would, driven with xdotool under Xvfb.
#
# Usage (inside run-xvfb.sh): test-gui-e2e.sh VMSCOPE TARGET PALETTE_PRINTER
# Launches vmscope with no argument (which execs the window's own
# executable, vmscope-gui, beside it), types the target's PID into the
# picker's search, presses Enter, zooms with the wheel, presses Ctrl+E (the
# path is typed into the real file chooser), checks the PNG, takes
# a screenshot and checks the map's colours are on screen, turns the
# residency view on with Ctrl+R and looks for resident pages, then quits
# with Ctrl+Q.
set -u
VMSCOPE=$1 TARGET=$2 PALETTE=$3
for tool in xdotool import convert; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed (apt-get install xdotool imagemagick)"
    exit 77
  fi
done

tmp=$(mktemp -d)
target_pid= app_pid=
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  [ -n "$target_pid" ] && kill "$target_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# Poll until a command succeeds or $1 seconds pass.
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
mkdir -p "$XDG_CONFIG_HOME/gtk-3.0"
printf '[Settings]\ngtk-cursor-blink=false\ngtk-enable-animations=false\n' \
  > "$XDG_CONFIG_HOME/gtk-3.0/settings.ini"
export_file="$tmp/export.png"
# GTK's own file chooser, as on a desktop without a portal.
export GTK_USE_PORTAL=0

"$TARGET" 300 > "$tmp/target.out" &
target_pid=$!
wait_for 10 grep -q ready "$tmp/target.out" || { echo "FAIL: the target did not start"; exit 1; }

"$VMSCOPE" > "$tmp/app.out" 2>&1 &
app_pid=$!

picker=$(wait_for 20 xdotool search --onlyvisible --name '^Pick a Process$' && \
         xdotool search --onlyvisible --name '^Pick a Process$' | head -n 1)
if [ -z "$picker" ]; then
  cat "$tmp/app.out" >&2
  echo "FAIL: the process picker did not open"; exit 1
fi
# vmscope (the CLI, no GTK) became the window by exec: the same process.
exe=$(readlink "/proc/$app_pid/exe")
case $exe in
  */vmscope-gui) ;;
  *) fail "the picker's process $app_pid runs '$exe', not vmscope-gui: no exec" ;;
esac
win_pid=$(xdotool getwindowpid "$picker" 2>/dev/null)
[ "$win_pid" = "$app_pid" ] || fail "the picker belongs to PID '$win_pid', not to vmscope's $app_pid"
# No window manager runs under Xvfb: give the dialog the focus directly.
xdotool windowfocus --sync "$picker" 2>/dev/null || xdotool windowfocus "$picker"
xdotool type --delay 60 "$target_pid"
# Enter attaches to the first match; until the process list has loaded
# there is none, so Enter is pressed again until the main window shows.
attached() { xdotool search --onlyvisible --name "vms-gui-target \\($target_pid\\)"; }
enter_until_attached() {
  n=0  # not i: wait_for uses that one
  while [ $n -lt 40 ]; do
    xdotool key Return
    wait_for 1 attached && return 0
    n=$((n + 1))
  done
  return 1
}
if ! enter_until_attached; then
  cat "$tmp/app.out" >&2
  fail "the main window did not attach to $target_pid"
fi
main=$(xdotool search --onlyvisible --name "vms-gui-target \\($target_pid\\)" | head -n 1)
xdotool windowfocus --sync "$main" 2>/dev/null

"$PALETTE" > "$tmp/palette"
colour() { awk -v t="$1" '$1 == t { print $2 }' "$tmp/palette"; }
# Pixels of exactly colour $2 in image $1.
count() {
  convert "$1" -depth 8 -format %c histogram:info:- 2>/dev/null |
    awk -v c="$2" 'toupper($0) ~ c { n += $1 + 0 } END { print n + 0 }'
}
# The first sample is drawn: the map's Private Data colour is on screen
# beyond the legend's and the summary's swatches (2 x 144 pixels).
map_shown() {
  import -window root "$tmp/poll.png" 2>/dev/null &&
    [ "$(count "$tmp/poll.png" "$(colour private)")" -gt 288 ]
}
wait_for 20 map_shown || fail "no map was drawn within 20 s of attaching"

# Zoom: three wheel steps over the map's first row (below the header bar and
# the map's toolbar, where both layouts start drawing).
eval "$(xdotool getwindowgeometry --shell "$main")"
xdotool mousemove --window "$main" $((WIDTH / 4)) 110
# A person's pace between steps (not a wait for anything); the X server
# delivers the events in order, so Ctrl+E comes after the last of them.
for i in 1 2 3; do xdotool click 4; sleep 0.1; done
xdotool key ctrl+e
# The real chooser: type the whole path into its name field and accept.
if ! wait_for 10 xdotool search --onlyvisible --name '^Export Map as PNG$'; then
  cat "$tmp/app.out" >&2
  fail "Ctrl+E opened no file chooser"
fi
chooser=$(xdotool search --onlyvisible --name '^Export Map as PNG$' | head -n 1)
xdotool windowfocus --sync "$chooser" 2>/dev/null || xdotool windowfocus "$chooser"
# The name field has the focus once the chooser is mapped and focused.
xdotool key ctrl+a
xdotool type --delay 20 "$export_file"
xdotool key Return
if ! wait_for 10 test -s "$export_file"; then
  cat "$tmp/app.out" >&2
  fail "exporting through the file chooser wrote no PNG"
fi
xdotool windowfocus --sync "$main" 2>/dev/null
# The chooser is gone and the window has repainted under it.
wait_for 10 sh -c "! xdotool search --onlyvisible --name '^Export Map as PNG\$'" ||
  fail "the file chooser stayed open after the export"
wait_for 10 map_shown || fail "the map was not redrawn after the file chooser closed"

if [ -s "$export_file" ]; then
  # The chooser's size choice starts at 1920 x 1200.
  size=$(identify -format '%w %h' "$export_file" 2>/dev/null)
  [ "$size" = "1920 1200" ] || fail "the exported PNG is '$size', not 1920 x 1200"
  n=$(count "$export_file" "$(colour private)")
  [ "$n" -gt 0 ] || fail "the exported PNG has no Private Data pixel ($(colour private))"
  n=$(count "$export_file" "$(colour free)")
  [ "$n" -gt 0 ] || fail "the exported PNG has no Free pixel ($(colour free))"
fi

import -window root "$tmp/screen.png" 2>/dev/null || fail "cannot take a screenshot"
if [ -s "$tmp/screen.png" ]; then
  # The legend's and the summary's swatches hold 2 x 144 pixels of each
  # type's colour; pixels beyond those are the map's. Which types dominate
  # depends on the target (a sanitizer build maps terabytes of shadow), so
  # the map counts as shown when its colours cover a good part of the screen.
  swatches=288 map_px=0 summary=""
  for t in $(awk '$1 !~ /^page-/ { print $1 }' "$tmp/palette"); do
    n=$(count "$tmp/screen.png" "$(colour "$t")")
    summary="$summary $t=$n"
    [ "$n" -gt $swatches ] && map_px=$((map_px + n - swatches))
  done
  echo "screenshot:$summary; map pixels beyond the swatches: $map_px"
  [ "$map_px" -gt 5000 ] || fail "the screenshot shows no map: only $map_px pixels in the palette's colours"
  n_img=$(count "$tmp/screen.png" "$(colour image)")
  [ "$n_img" -gt 0 ] || fail "the screenshot has no Image pixel at all"
  [ -n "${VMSCOPE_E2E_KEEP:-}" ] && cp "$tmp/screen.png" "$VMSCOPE_E2E_KEEP"
fi

# Ctrl+R: the residency view; resident pages (the target's written ones,
# the libraries' text) take the resident colour beyond its legend swatch.
before=$(count "$tmp/screen.png" "$(colour page-resident)")
[ "$before" -lt 1000 ] || fail "the resident colour covers $before pixels before Ctrl+R"
xdotool key ctrl+r
resident_shown() {
  import -window root "$tmp/poll.png" 2>/dev/null &&
    [ "$(count "$tmp/poll.png" "$(colour page-resident)")" -gt 1000 ]
}
wait_for 20 resident_shown || fail "Ctrl+R drew no resident pages on the map (before: $before)"
echo "residency view: $(count "$tmp/poll.png" "$(colour page-resident)") resident pixels, $before before Ctrl+R"
xdotool key ctrl+r

# Ctrl+Q quits cleanly and the window size is remembered.
xdotool key ctrl+q
if wait_for 10 sh -c "! kill -0 $app_pid"; then
  wait "$app_pid"; status=$?
  [ "$status" -eq 0 ] || fail "vmscope exited with status $status"
  app_pid=
  grep -q '^width=' "$XDG_CONFIG_HOME/vmscope/vmscope.ini" 2>/dev/null ||
    fail "the window size was not saved to $XDG_CONFIG_HOME/vmscope/vmscope.ini"
else
  fail "Ctrl+Q did not quit"
fi

if [ $failures -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "end-to-end: picker, attach, zoom, export, screenshot and residency view all checked"
