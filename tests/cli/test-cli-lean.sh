#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-lean.sh: vmscope is the command line alone, and starts the window's executable by exec.
#
# Usage: test-cli-lean.sh VMSCOPE GUI_PATH PART
#   needed          no GTK, GDK, GLib, Pango or ATK among vmscope's NEEDED libraries
#   no-display      without DISPLAY and WAYLAND_DISPLAY, "vmscope PID" prints the summary
#   exec            with a display, "vmscope [PID]" and "vmscope -" on a pipe exec
#                   vmscope-gui beside it (a stand-in script here): the same process,
#                   its arguments, its standard input, its exit status
#   missing-window  with a display and no vmscope-gui anywhere: one line naming where it
#                   looked, exit 11; an unrunnable one: one line naming it, exit 8
# GUI_PATH is where meson installs vmscope-gui (the second place vmscope looks).
set -u
VMSCOPE=$1 GUI_PATH=$2 PART=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# A display no test ever connects to: only stand-ins are started here.
fake_display=vmscope-test.invalid:0

# run NAME CMD...: status in $rc, output in $tmp/NAME.out and $tmp/NAME.err.
run() {
  name=$1; shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  rc=$?
}
lines() { wc -l <"$1" | tr -d ' '; }

# Copies vmscope into its own folder, alone, so that what it finds beside
# itself is only what the test puts there.
alone() {
  mkdir -p "$tmp/bin"
  cp "$VMSCOPE" "$tmp/bin/vmscope"
  lean="$tmp/bin/vmscope"
}

case $PART in
needed)
  if ! command -v readelf >/dev/null 2>&1; then
    echo "SKIP: readelf is not installed (binutils)"
    exit 77
  fi
  needed=$(readelf -d "$VMSCOPE" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  [ -n "$needed" ] || fail "readelf lists no NEEDED library for $VMSCOPE"
  echo "vmscope needs: $(echo "$needed" | tr '\n' ' ')"
  gui=$(echo "$needed" | grep -E '^lib(gtk|gdk|glib|gobject|gio|gmodule|pango|atk|harfbuzz|epoxy)')
  [ -z "$gui" ] || fail "vmscope links the window's libraries: $(echo "$gui" | tr '\n' ' ')"
  ;;
no-display)
  run pid env -u DISPLAY -u WAYLAND_DISPLAY "$VMSCOPE" $$
  [ "$rc" -eq 0 ] || fail "vmscope $$ without a display exits $rc: $(cat "$tmp/pid.err")"
  grep -q "^process $$ (" "$tmp/pid.out" && grep -q '^Type  ' "$tmp/pid.out" ||
    fail "vmscope $$ without a display printed no summary: $(head -n 3 "$tmp/pid.out")"
  [ ! -s "$tmp/pid.err" ] ||
    fail "vmscope $$ without a display wrote to stderr: $(cat "$tmp/pid.err")"
  # An empty DISPLAY is no display.
  run empty env -u WAYLAND_DISPLAY DISPLAY= "$VMSCOPE" $$
  [ "$rc" -eq 0 ] && grep -q "^process $$ (" "$tmp/empty.out" ||
    fail "vmscope $$ with an empty DISPLAY exits $rc, printing $(head -n 1 "$tmp/empty.out")"
  # The picker has nothing to fall back on: a usage error, on stderr only.
  run plain env -u DISPLAY -u WAYLAND_DISPLAY "$VMSCOPE"
  [ "$rc" -eq 2 ] || fail "vmscope alone without a display exits $rc, not 2"
  [ ! -s "$tmp/plain.out" ] || fail "vmscope alone without a display wrote to stdout"
  grep -q . "$tmp/plain.err" || fail "vmscope alone without a display said nothing"
  ;;
exec)
  alone
  # The stand-in says who it is and returns a status of its own.
  printf '#!/bin/sh\necho "gui pid=$$ args=$*"\nexit 42\n' >"$tmp/bin/vmscope-gui"
  chmod +x "$tmp/bin/vmscope-gui"

  # exec, not a child: the shell's PID is the stand-in's.
  # shellcheck disable=SC2016
  run pid env -u WAYLAND_DISPLAY DISPLAY=$fake_display \
    sh -c 'echo "shell pid=$$"; exec "$0" 4242' "$lean"
  [ "$rc" -eq 42 ] ||
    fail "vmscope 4242 with a display exits $rc, not the window's 42: $(cat "$tmp/pid.err")"
  shell_pid=$(sed -n 's/^shell pid=//p' "$tmp/pid.out")
  grep -qx "gui pid=$shell_pid args=4242" "$tmp/pid.out" ||
    fail "vmscope 4242 did not exec vmscope-gui 4242 in its own process: $(cat "$tmp/pid.out")"

  run plain env -u WAYLAND_DISPLAY DISPLAY=$fake_display "$lean"
  [ "$rc" -eq 42 ] && grep -qx "gui pid=[0-9]* args=" "$tmp/plain.out" ||
    fail "vmscope alone with a display did not exec vmscope-gui: $rc, $(cat "$tmp/plain.out")"

  run wayland env -u DISPLAY WAYLAND_DISPLAY=wayland-vmscope-test "$lean" 7
  [ "$rc" -eq 42 ] && grep -qx "gui pid=[0-9]* args=7" "$tmp/wayland.out" ||
    fail "vmscope 7 with WAYLAND_DISPLAY alone did not exec vmscope-gui: status $rc"

  # A stream on standard input is the window's, the pipe handed over as
  # its standard input.
  printf '#!/bin/sh\necho "gui pid=$$ args=$* stdin=$(cat)"\nexit 42\n' >"$tmp/bin/vmscope-gui"
  run stream sh -c 'echo frames | env -u WAYLAND_DISPLAY DISPLAY=$1 "$0" -' "$lean" "$fake_display"
  [ "$rc" -eq 42 ] && grep -qx "gui pid=[0-9]* args=- stdin=frames" "$tmp/stream.out" ||
    fail "vmscope - with a pipe and a display did not exec vmscope-gui - on it: status $rc," \
      "$(cat "$tmp/stream.out" "$tmp/stream.err")"
  # With options it is the CLI's, and so without a display.
  run stream-cli sh -c ': | env -u WAYLAND_DISPLAY DISPLAY=$1 "$0" - --timeline' "$lean" \
    "$fake_display"
  run stream-none sh -c ': | env -u WAYLAND_DISPLAY -u DISPLAY "$0" -' "$lean"
  [ "$rc" -eq 10 ] ||
    fail "vmscope - without a display on an empty pipe exits $rc, not the CLI's 10"
  if grep -h '^gui ' "$tmp/stream-cli.out" "$tmp/stream-none.out"; then
    fail "vmscope - --timeline or vmscope - without a display started the window"
  fi
  # ssh://HOST[/PID] is the window's too (without a PID, its picker); a bad
  # URL is the CLI's, which explains it, and so is ssh://HOST without a display.
  run remote env -u WAYLAND_DISPLAY DISPLAY=$fake_display "$lean" ssh://user@example.invalid:2222/7 \
    </dev/null
  [ "$rc" -eq 42 ] && grep -qx "gui pid=[0-9]* args=ssh://user@example.invalid:2222/7 stdin=" \
    "$tmp/remote.out" || fail "vmscope ssh://HOST/PID with a display did not exec vmscope-gui:" \
    "status $rc, $(cat "$tmp/remote.out" "$tmp/remote.err")"
  run remote-host env -u WAYLAND_DISPLAY DISPLAY=$fake_display "$lean" ssh://example.invalid \
    </dev/null
  [ "$rc" -eq 42 ] && grep -qx "gui pid=[0-9]* args=ssh://example.invalid stdin=" \
    "$tmp/remote-host.out" || fail "vmscope ssh://HOST with a display did not exec vmscope-gui:" \
    "status $rc, $(cat "$tmp/remote-host.out" "$tmp/remote-host.err")"
  run remote-nopid env -u WAYLAND_DISPLAY -u DISPLAY "$lean" ssh://example.invalid
  [ "$rc" -eq 2 ] || fail "vmscope ssh://HOST without a display exits $rc, not the CLI's 2"
  run remote-bad env -u WAYLAND_DISPLAY DISPLAY=$fake_display "$lean" ssh://-oProxyCommand=x/7
  [ "$rc" -eq 2 ] && grep -q "is not a host name" "$tmp/remote-bad.err" ||
    fail "vmscope ssh://-oProxyCommand=x/7: status $rc, $(cat "$tmp/remote-bad.err")"
  if grep -h '^gui ' "$tmp/remote-nopid.out" "$tmp/remote-bad.out"; then
    fail "a bad ssh:// URL started the window"
  fi
  # A terminal sends no recording: there vmscope - stays the CLI's (script
  # gives it one; with script's stdin at its end the terminal ends at once).
  if command -v script >/dev/null 2>&1; then
    run tty env -u WAYLAND_DISPLAY DISPLAY=$fake_display timeout 20 \
      script -qec "$lean - </dev/tty" /dev/null </dev/null
    [ "$rc" -eq 10 ] && grep -q "standard input: empty" "$tmp/tty.out" ||
      fail "vmscope - on a terminal: status $rc, $(cat "$tmp/tty.out" "$tmp/tty.err")"
  fi

  # What is the CLI's stays the CLI's with a display too.
  run summary env DISPLAY=$fake_display "$lean" $$ --summary
  [ "$rc" -eq 0 ] && grep -q "^process $$ (" "$tmp/summary.out" ||
    fail "vmscope $$ --summary with a display exits $rc: $(cat "$tmp/summary.err")"
  run version env DISPLAY=$fake_display "$lean" --version
  grep -q '^vmscope ' "$tmp/version.out" ||
    fail "vmscope --version with a display: $(cat "$tmp/version.out")"
  run file env DISPLAY=$fake_display "$lean" "$tmp/no-such-recording"
  [ "$rc" -eq 2 ] || fail "vmscope FILE with a display exits $rc, not the CLI's 2"
  run bad env DISPLAY=$fake_display "$lean" --no-such-option
  [ "$rc" -eq 2 ] || fail "vmscope --no-such-option with a display exits $rc, not the CLI's 2"
  if grep -h '^gui ' "$tmp/summary.out" "$tmp/version.out" "$tmp/file.out" "$tmp/bad.out"; then
    fail "a command-line request started the window"
  fi
  ;;
missing-window)
  if [ -e "$GUI_PATH" ]; then
    echo "SKIP: a vmscope-gui is installed at $GUI_PATH, which vmscope would run"
    exit 77
  fi
  alone
  run none env DISPLAY=$fake_display "$lean" $$
  [ "$rc" -eq 11 ] || fail "vmscope $$ without a vmscope-gui exits $rc, not 11"
  [ ! -s "$tmp/none.out" ] || fail "vmscope $$ without a vmscope-gui wrote to stdout"
  [ "$(lines "$tmp/none.err")" -eq 1 ] || fail "not one line on stderr: $(cat "$tmp/none.err")"
  grep -qF "$GUI_PATH" "$tmp/none.err" && grep -qF "$tmp/bin" "$tmp/none.err" ||
    fail "the message names neither $GUI_PATH nor $tmp/bin: $(cat "$tmp/none.err")"
  echo "no window: $(cat "$tmp/none.err")"

  # One that is there but cannot be run is an I/O error, and named.
  printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/vmscope-gui"
  chmod 644 "$tmp/bin/vmscope-gui"
  run noexec env DISPLAY=$fake_display "$lean"
  [ "$rc" -eq 8 ] || fail "vmscope with an unrunnable vmscope-gui exits $rc, not 8"
  [ "$(lines "$tmp/noexec.err")" -eq 1 ] && grep -qF "$tmp/bin/vmscope-gui" "$tmp/noexec.err" ||
    fail "the message does not name $tmp/bin/vmscope-gui in one line: $(cat "$tmp/noexec.err")"
  echo "unrunnable window: $(cat "$tmp/noexec.err")"
  ;;
*)
  echo "unknown part '$PART'" >&2
  exit 2
  ;;
esac

if [ $failures -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "$PART: checked"
