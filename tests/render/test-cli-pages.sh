#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-pages.sh: vmscope PID --png FILE --pages on a live helper whose
# written pages are known: the PNG is decoded and, at one page a pixel,
# every pixel of the helper's region must show the resident colour exactly
# where the helper wrote and the untouched colour elsewhere.
#   shown:   the page states, in PNG, SVG and PDF, and usage errors.
#   refused: a pagemap that cannot be opened (another pagemap the reader may
#            not open mounted over it, in a mount namespace of its own): the
#            map is still written, one line says why, and no pixel shows a
#            page state. Skipped (77) where no mount namespace can be made.
# Usage: test-cli-pages.sh VMSCOPE RENDER_HELPER PNG_CHECK shown|refused
set -u
VMSCOPE=$1 HELPER=$2 CHECK=$3 PART=$4
unset DISPLAY WAYLAND_DISPLAY
dir=$(mktemp -d "${TMPDIR:-/tmp}/vms-cli-pages-XXXXXX") || exit 99
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

mkfifo "$dir/in"
"$HELPER" pages <"$dir/in" >"$dir/ready" &
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
# "pages START END STATES": what the helper wrote, page by page.
set -- $(grep '^pages ' "$dir/ready")
start=$2 end=$3 states=$4
npages=${#states}
written=$(printf %s "$states" | tr -cd r | wc -c)
echo "helper: $npages pages at $start, $written written"
range="--range $start-$end --layout linear"

if [ "$PART" = shown ]; then
  # At 800 px wide the region is one row at one page a pixel.
  if "$VMSCOPE" "$hpid" --png "$dir/pages.png" --pages --size 800x600 $range 2>"$dir/err"; then
    "$CHECK" "$dir/pages.png" 800 600 "pages=$states" || fail "page states in the PNG"
    grep -q "Residency shown: .*resident $((written * 4)) KiB, swapped 0 B, untouched $(((npages - written) * 4)) KiB" "$dir/err" ||
      fail "the residency line: $(cat "$dir/err")"
  else
    fail "--pages exited $?: $(cat "$dir/err")"
  fi
  # Narrow enough that the region wraps into rows: the same pages in order.
  if "$VMSCOPE" "$hpid" --png "$dir/rows.png" --pages --size 400x700 $range 2>"$dir/err"; then
    "$CHECK" "$dir/rows.png" 400 700 "pages=$states" || fail "page states over several rows"
  else
    fail "--pages, narrow, exited $?: $(cat "$dir/err")"
  fi
  # Without --pages the same map shows the region's type, and no page state.
  if "$VMSCOPE" "$hpid" --png "$dir/types.png" --size 800x600 $range 2>"$dir/err"; then
    "$CHECK" "$dir/types.png" 800 600 pages=none "private=$npages" || fail "the map without --pages"
    grep -q Residency "$dir/err" && fail "a residency line without --pages: $(cat "$dir/err")"
  else
    fail "the map without --pages exited $?: $(cat "$dir/err")"
  fi
  # Vector exports draw the states too: the untouched grey is filled (as a
  # cairo SVG writes rgb(73.3%...) for #bbbbbb), and not without --pages.
  grey='73.333333%,73.333333%,73.333333%'
  "$VMSCOPE" "$hpid" --png "$dir/pages.svg" --pages --size 800x600 $range 2>/dev/null &&
    grep -q "$grey" "$dir/pages.svg" || fail "SVG with --pages: no untouched pages drawn"
  "$VMSCOPE" "$hpid" --png "$dir/types.svg" --size 800x600 $range 2>/dev/null &&
    ! grep -q "$grey" "$dir/types.svg" || fail "SVG without --pages draws page states"
  "$VMSCOPE" "$hpid" --png "$dir/pages.pdf" --pages --size 800x600 $range 2>/dev/null &&
    head -c 5 "$dir/pages.pdf" | grep -q '%PDF-' || fail "PDF with --pages"
  # --pages belongs to a live --png.
  for args in "$hpid --pages --summary" "--maps-file /proc/$hpid/maps --pages --png $dir/x.png"; do
    # shellcheck disable=SC2086
    "$VMSCOPE" $args >/dev/null 2>"$dir/err"
    rc=$?
    [ "$rc" -eq 2 ] || fail "vmscope $args: exit $rc, not 2"
    grep -q -- "--pages" "$dir/err" || fail "vmscope $args: $(cat "$dir/err")"
  done
else
  # Mounted over the helper's pagemap: a file nobody may read, not even root
  # (sysctl files are checked by their mode, whatever the capabilities).
  cover=/proc/sys/vm/drop_caches
  if ! unshare -m sh -c "mount --make-rprivate / && mount --bind $cover /proc/$hpid/pagemap" \
      2>"$dir/err"; then
    echo "SKIP: no mount namespace to cover the pagemap in: $(cat "$dir/err")"
    cleanup
    exit 77
  fi
  unshare -m sh -c "mount --make-rprivate / && mount --bind $cover /proc/$hpid/pagemap &&
    exec \"\$0\" \"\$@\"" "$VMSCOPE" "$hpid" --png "$dir/refused.png" --pages --size 800x600 \
    $range >"$dir/out" 2>"$dir/err"
  rc=$?
  echo "stderr: $(cat "$dir/err")"
  [ "$rc" -eq 0 ] || fail "exit $rc, not 0: the map must still be written"
  [ -s "$dir/refused.png" ] || fail "no map written"
  [ "$(grep -c 'Residency not shown' "$dir/err")" -eq 1 ] || fail "not one line saying why"
  grep -q "Residency not shown: page states not read: /proc/$hpid/pagemap: Permission denied" \
    "$dir/err" || fail "the reason: $(cat "$dir/err")"
  grep -q "wrote $dir/refused.png" "$dir/err" || fail "no word of the file written"
  [ -s "$dir/out" ] && fail "stdout: $(cat "$dir/out")"
  "$CHECK" "$dir/refused.png" 800 600 pages=none "private=$npages" ||
    fail "the map must show types and no page state"
fi

cleanup
[ "$fails" -eq 0 ] && echo "all facts hold" && exit 0
exit 1
