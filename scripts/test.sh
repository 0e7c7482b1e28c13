#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's second command: set up everything the tests need, then run
# the whole suite: the ordinary build (unit, CLI, live, GUI under Xvfb, the
# metrics chain, sshd, the Debian package, the code format), the same core
# suites under ASan+UBSan, the threaded tests under ThreadSanitizer, the
# Windows builds under Wine (64- and 32-bit), and the Windows window and its
# zip. Every server a test needs is started by that test, on 127.0.0.1.
# Ends with one line "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
scripts/setup.sh --test || exit 1

status=0
logs=""

# run_suite BUILDDIR MESON-SETUP-ARGS -- MESON-TEST-ARGS
run_suite() {
  dir=$1
  shift
  setup_args=""
  while [ "$1" != "--" ]; do setup_args="$setup_args $1"; shift; done
  shift
  # Warnings are errors here, as in CI; a build dir made by a plain setup
  # (scripts/run.sh) is switched over.
  if [ ! -f "$dir/build.ninja" ]; then
    # shellcheck disable=SC2086
    meson setup "$dir" -Dwerror=true $setup_args >/dev/null || { status=1; return; }
  else
    meson configure "$dir" -Dwerror=true >/dev/null || { status=1; return; }
  fi
  meson compile -C "$dir" >/dev/null || { echo "vmscope tests: build in $dir failed"; meson compile -C "$dir" 2>&1 | tail -30; status=1; return; }
  meson test -C "$dir" --print-errorlogs "$@" || status=1
  logs="$logs $dir/meson-logs/testlog.json"
}

echo "== vmscope: tests =="
run_suite build -- --num-processes 2

echo "== vmscope: core tests under AddressSanitizer and UndefinedBehaviorSanitizer =="
# fontconfig (loaded by cairo's text) keeps its cache for the life of the
# process: tests/lsan.supp names that one library and nothing else.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp" \
  run_suite build-sanitize -Db_sanitize=address,undefined -Db_lundef=false -Dgui=disabled -- \
  --suite unit --suite cli --suite live --suite fuzz --suite render --num-processes 2

echo "== vmscope: threads under ThreadSanitizer =="
# The sampler, two targets read at once, two exports at once, and the
# window's attach/export/detach cycle. The tests set TSAN_OPTIONS to their
# suppressions (tests/tsan.supp, tests/tsan-gui.supp); a report fails them.
run_suite build-tsan -Db_sanitize=thread -Db_lundef=false -- --suite tsan --num-processes 2

if [ -x scripts/wine-test.sh ]; then
  echo "== vmscope: Windows build under Wine =="
  # A log left by an earlier run must not count for this one.
  rm -f build-win64/meson-logs/testlog.json build-win32/meson-logs/testlog.json
  scripts/wine-test.sh || status=1
  for f in build-win64/meson-logs/testlog.json build-win32/meson-logs/testlog.json; do
    [ -f "$f" ] && logs="$logs $f"
  done
fi

echo "== vmscope: the Windows window under Wine =="
# The GTK 3 stack for MinGW-w64 is built from Debian's sources once per
# machine into a cache outside the checkout (15 to 30 minutes the first
# time, an instant after), then vmscope.exe with the window is built
# against it, its tests run under Wine, and the window is opened on a
# Windows helper and looked at.
rm -f build-win64-gtk/meson-logs/testlog.json build-win64-gtk/gui-check.json
if cross=$(scripts/build-windows-gtk.sh); then
  if [ ! -f build-win64-gtk/build.ninja ]; then
    meson setup build-win64-gtk --cross-file "$cross" --wrap-mode=nodownload -Dwerror=true \
      >/dev/null || status=1
  fi
  if meson compile -C build-win64-gtk >/dev/null; then
    # Its tests run under Wine through the cross file's exe_wrapper.
    # The desktop first, held for the tests and stopped before the window
    # check, which needs one on its display (scripts/wine-env.sh).
    . scripts/wine-env.sh
    vms_wine_desktop_start
    # win-recording compares with the Linux build (as in scripts/wine-test.sh).
    VMS_LINUX_BUILD="$PWD/build" \
    WINEPATH="$(winepath -w "$(dirname "$cross")/prefix/bin" 2>/dev/null)" \
      meson test -C build-win64-gtk --print-errorlogs --num-processes 1 || status=1
    vms_wine_desktop_stop
    logs="$logs build-win64-gtk/meson-logs/testlog.json"
    # The window itself: one more result in meson's log format.
    if scripts/wine-gui-check.sh build-win64-gtk; then r=OK
    else rc=$?; if [ "$rc" -eq 77 ]; then r=SKIP; else r=FAIL; status=1; fi
    fi
    printf '{"name": "wine-window", "result": "%s"}\n' "$r" >build-win64-gtk/gui-check.json
    # The download: the zip unpacked into an empty folder and run in a
    # Wine prefix made for it (as a Windows user has none of the build's
    # DLLs), with only what it carries: the window and the command line.
    r=FAIL
    zip=$(scripts/windows-bundle.sh build-win64-gtk 2>/dev/null | tail -n 1)
    if [ -n "$zip" ] && command -v unzip >/dev/null 2>&1; then
      unpacked=$(mktemp -d)
      unzip -q "$zip" -d "$unpacked/zip" &&
        (unset WINEPATH; VMS_WINEPREFIX=$unpacked/prefix \
          VMS_WINE_GUI_EXE=$(ls "$unpacked"/zip/*/vmscope.exe) \
          scripts/wine-gui-check.sh build-win64-gtk "$unpacked/window.png") && r=OK
      WINEPREFIX=$unpacked/prefix wineserver -k >/dev/null 2>&1 || true
      rm -rf "$unpacked"
    fi
    [ "$r" = OK ] || status=1
    printf '{"name": "windows-zip", "result": "%s"}\n' "$r" >>build-win64-gtk/gui-check.json
    logs="$logs build-win64-gtk/gui-check.json"
  else
    echo "vmscope tests: build in build-win64-gtk failed"
    meson compile -C build-win64-gtk 2>&1 | tail -30
    status=1
  fi
else
  echo "vmscope tests: the Windows GTK stack could not be built (scripts/build-windows-gtk.sh)"
  status=1
fi
# A developer keeps the warm Wine server for the next run; CI leaves nothing behind.
if [ -n "${CI:-}" ] && command -v vms_wine_stop >/dev/null 2>&1; then vms_wine_stop; fi

# One closing line over every run.
passed=0 failed=0 skipped=0
for f in $logs; do
  [ -f "$f" ] || continue
  p=$(grep -c '"result": "OK"' "$f")
  x=$(grep -c -E '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$f")
  s=$(grep -c '"result": "SKIP"' "$f")
  passed=$((passed + p)) failed=$((failed + x)) skipped=$((skipped + s))
done
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
