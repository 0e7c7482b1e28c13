#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# wine-test.sh: cross-build vmscope for 64- and 32-bit Windows and run the Windows tests under Wine.
#
# Configures build-win64/ and build-win32/ (MinGW-w64 cross files in cross/),
# builds both, and runs `meson test` in build-win64 and, where 32-bit Windows
# programs really run (a canary exits 42), in build-win32. Without wine32 a
# 32-bit program "exits" 0 without running, so the 32-bit tests are skipped
# with a SKIP line instead of passing by accident, and each one that would
# have run is written to build-win32/meson-logs/testlog.json as a SKIP
# entry, so scripts/test.sh counts them. Exits non-zero on any
# failure. Arguments go to `meson test`; without any, the unit and Windows
# suites run (the fuzz suite already runs natively, and takes 15 s under Wine).
# The Windows suite's win-recording test also runs the Linux build
# ($VMS_LINUX_BUILD, by default build/, which scripts/test.sh builds first):
# recordings written on one side must print the same on the other.
set -eu
if [ $# -eq 0 ]; then
  set -- --suite unit --suite windows
fi

cd "$(dirname "$0")/.."
. scripts/wine-env.sh
# The Linux build beside them: the win-recording test reads the recordings
# vmscope.exe writes with it, and the other way round (skipped without one).
export VMS_LINUX_BUILD="${VMS_LINUX_BUILD:-$PWD/build}"

for tool in x86_64-w64-mingw32-gcc i686-w64-mingw32-gcc; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "wine-test.sh: $tool not found (Debian: apt-get install mingw-w64)" >&2
    exit 1
  fi
done

t0=$(date +%s.%N)
for pair in win64:x86_64 win32:i686; do
  dir=build-${pair%%:*}
  if [ ! -f "$dir/build.ninja" ]; then
    log=$(mktemp)
    meson setup "$dir" -Dwerror=true --cross-file "cross/${pair##*:}-w64-mingw32.txt" >"$log" 2>&1 || {
      cat "$log" >&2
      rm -f "$log"
      echo "wine-test.sh: configuring $dir failed" >&2
      exit 1
    }
    rm -f "$log"
  fi
  meson compile -C "$dir" -j 2 >/dev/null || {
    meson compile -C "$dir" -j 1 >&2 || true
    echo "wine-test.sh: building $dir failed" >&2
    exit 1
  }
done
t1=$(date +%s.%N)

# vmscope.exe must run with no MinGW DLL beside it (libwinpthread, libgcc).
for pair in win64:x86_64 win32:i686; do
  exe=build-${pair%%:*}/vmscope.exe
  dlls=$("${pair##*:}-w64-mingw32-objdump" -p "$exe" | awk '/DLL Name:/ { print $3 }' | tr '\n' ' ')
  case " $(echo "$dlls" | tr 'A-Z' 'a-z')" in
    *" lib"*)
      echo "wine-test.sh: $exe needs MinGW DLLs: $dlls" >&2
      exit 1 ;;
  esac
  echo "$exe imports only: $dlls"
done

status=0
rc=0
wine build-win64/tests/windows/vms-win-canary.exe || rc=$?
if [ "$rc" != 42 ]; then
  echo "wine-test.sh: a 64-bit Windows program does not run under this Wine (canary exited $rc, not 42)" >&2
  exit 1
fi
# The desktop up first, with none of meson's pipes (scripts/wine-env.sh).
vms_wine_desktop_start
trap vms_wine_desktop_stop EXIT
meson test -C build-win64 --print-errorlogs "$@" || status=1

rc=0
wine build-win32/tests/windows/vms-win-canary.exe >/dev/null 2>&1 || rc=$?
if [ "$rc" = 42 ]; then
  # The 32-bit vmscope must refuse a 64-bit target with a clear message.
  VMS_WIN64_HELPER="$PWD/build-win64/tests/windows/vms-win-helper.exe" \
  VMS_WIN64_HELPER_DLL="$PWD/build-win64/tests/windows/vms-win-helper-dll.dll" \
  VMS_WIN64_VMSCOPE="$PWD/build-win64/vmscope.exe" \
    meson test -C build-win32 --print-errorlogs "$@" || status=1
else
  reason="32-bit Windows programs do not run under this Wine (the canary exited $rc, not 42: wine32 is missing, or $WINEPREFIX was made before it was installed and must be removed)"
  echo "SKIP: win32 tests: $reason; build-win32 was built"
  # One SKIP entry per test that would have run, in meson's own log format,
  # in place of any log a run with wine32 left there.
  mkdir -p build-win32/meson-logs
  log=build-win32/meson-logs/testlog.json
  : >"$log"
  n=0
  for t in $(meson test -C build-win32 --no-rebuild --list "$@" 2>/dev/null | sed 's/ //g'); do
    printf '{"name": "%s", "result": "SKIP", "stdout": "SKIP: %s\\n"}\n' "$t" "$reason" >>"$log"
    n=$((n + 1))
  done
  if [ "$n" -eq 0 ]; then
    echo "wine-test.sh: cannot list the win32 tests that were skipped" >&2
    status=1
  fi
  echo "win32: $n tests skipped"
fi
vms_wine_desktop_stop
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "wine-test.sh: build %.1f s, Wine tests %.1f s\n", b - a, c - b }'
# A developer keeps the warm server for the next run; CI leaves nothing behind.
[ -n "${CI:-}" ] && vms_wine_stop
exit $status
