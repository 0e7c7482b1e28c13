# SPDX-License-Identifier: GPL-3.0-or-later
# wine-env.sh: source this to get a private, warm Wine prefix for vmscope's Windows tests.
#
# Exports WINEPREFIX (a folder of its own under $TMPDIR, never ~/.wine),
# WINEDEBUG=-all and WINEDLLOVERRIDES (no Mono/Gecko install prompts), unsets
# DISPLAY so nothing opens a window, creates the prefix once and keeps a
# persistent wineserver (`wineserver -p600`) running for it: with the server warm
# each Windows test process starts in a few hundredths of a second instead of
# about two seconds. Safe to source any number of times.
#
#   . scripts/wine-env.sh      # then: wine prog.exe, meson test -C build-win64
#   vms_wine_desktop_start     # before tests that read a program's output to its end
#   vms_wine_desktop_stop      # after them, before a window must show on a display
#   vms_wine_stop              # ends that wineserver (optional)

if ! command -v wine >/dev/null 2>&1; then
  echo "wine-env.sh: wine is not installed (Debian: apt-get install wine wine64)" >&2
  return 1 2>/dev/null || exit 1
fi

: "${VMS_WINEPREFIX:=${TMPDIR:-/tmp}/vmscope-wine-$(id -u)}"
export WINEPREFIX="$VMS_WINEPREFIX"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
unset DISPLAY WAYLAND_DISPLAY

vms_wine_stop() {
  vms_wine_desktop_stop
  wineserver -k >/dev/null 2>&1 || true
}

# The prefix's desktop (explorer.exe /desktop), started and held for a test
# run. Wine starts it for the first program that uses user32, passes it that
# program's standard error, and keeps it until the last other program of the
# prefix exits: a test that opens a window (test-win-resources loads icons;
# the window build's vmscope.exe is GTK) then cannot end while any other test
# runs, as meson reads its output to the end (measured: 47 s for a test of
# 1 s), and one that reads a child's stderr to its end waits for ever.
# Started here with no pipe of ours, held open by the start.exe that runs
# it, it is the one every test joins. It uses no display (DISPLAY is unset):
# stop it before a program must open a real window (scripts/wine-gui-check.sh).
vms_wine_desktop_start() {
  vms_wine_desktop_stop
  wine explorer.exe /desktop </dev/null >/dev/null 2>&1 &
  vms_wine_desktop_pid=$!
  # rundll32 opens a window, so it returns once the desktop is up.
  wine rundll32.exe user32.dll,GetDesktopWindow </dev/null >/dev/null 2>&1 || true
}
vms_wine_desktop_stop() {
  if [ -n "${vms_wine_desktop_pid:-}" ]; then
    kill "$vms_wine_desktop_pid" 2>/dev/null || true
    wait "$vms_wine_desktop_pid" 2>/dev/null || true
    vms_wine_desktop_pid=""
    # The desktop leaves once no other program of the prefix runs: wait
    # (up to 5 s) until it has, so that the next program starts its own.
    i=0
    while [ $i -lt 50 ] && vms_wine_desktop_running; do sleep 0.1; i=$((i + 1)); done
  fi
}
# Whether this prefix's desktop process is alive (not a zombie).
vms_wine_desktop_running() {
  for p in $(pgrep -f 'explorer.exe /desktop' 2>/dev/null); do
    [ "$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)" = Z ] && continue
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "WINEPREFIX=$WINEPREFIX" && return 0
  done
  return 1
}

# A prefix is whole once wineboot finished writing it (the .vmscope-ready
# stamp, written after). One left half-made (its creator killed) or made
# before wine32 was installed (no 32-bit kernel32.dll in syswow64) stops
# every program with "could not load kernel32.dll": make it again.
vms_wine_prefix_whole() {
  [ -f "$WINEPREFIX/.vmscope-ready" ] && [ -f "$WINEPREFIX/drive_c/windows/system32/kernel32.dll" ] || return 1
  if [ -d /usr/lib/i386-linux-gnu/wine ] || [ -d /usr/lib/wine/i386-windows ]; then
    [ -f "$WINEPREFIX/drive_c/windows/syswow64/kernel32.dll" ] || return 1
  fi
  return 0
}
if ! vms_wine_prefix_whole; then
  if [ -e "$WINEPREFIX" ]; then
    echo "wine-env.sh: the Wine prefix $WINEPREFIX is incomplete; making it again" >&2
    WINEPREFIX="$WINEPREFIX" wineserver -k >/dev/null 2>&1 || true
    rm -rf "$WINEPREFIX"
  fi
  mkdir -p "$WINEPREFIX"
  echo "wine-env.sh: creating the Wine prefix $WINEPREFIX (once)" >&2
  # wineboot -i returns before the prefix is written; wineserver -w waits for it.
  wineboot -i >/dev/null 2>&1 || true
  wineserver -w >/dev/null 2>&1 || true
  [ -f "$WINEPREFIX/drive_c/windows/system32/kernel32.dll" ] && : >"$WINEPREFIX/.vmscope-ready"
fi

# -p keeps the server alive with no client (here for 10 minutes after the
# last one, so nothing lingers for good); a second start for the same prefix
# is refused by the first, which is what makes this idempotent.
wineserver -p600 >/dev/null 2>&1 || true
# Fonts for GTK programs: under Wine 8 pango finds fonts through
# DirectWrite, which sees only the font files in the prefix's Fonts folder
# named in its Fonts key: not Wine's own Tahoma (fonts-wine), which GDI
# uses, nor the host fonts the key lists by Z: paths. GTK asks for the
# system's message font, Tahoma, and without it in DirectWrite's list the
# window gets no font (and the layered window code crashes on the bad sizes).
# Copy Tahoma and Debian's DejaVu fonts (fonts-dejavu-core) into the prefix
# and register them there, once per prefix; the CLI and its tests need none.
# The values are named as Wine never names its own: Wine lists the host's
# fonts in the same key as "FAMILY (TrueType)" and deletes those names
# again on a later start (its "External Fonts"), which took DejaVu Sans
# Mono with them and left the table's addresses as boxes.
vms_wine_fonts() {
  fontdir=/usr/share/fonts/truetype/dejavu
  [ -f "$WINEPREFIX/.vmscope-fonts-2" ] && return 0
  mkdir -p "$WINEPREFIX/drive_c/windows/Fonts"
  for f in $fontdir/DejaVuSans $fontdir/DejaVuSans-Bold $fontdir/DejaVuSansMono \
           $fontdir/DejaVuSansMono-Bold /usr/share/wine/fonts/tahoma /usr/share/wine/fonts/tahomabd; do
    [ -f "$f.ttf" ] || continue
    case ${f##*/} in
      DejaVuSans) name="DejaVu Sans" ;;
      DejaVuSans-Bold) name="DejaVu Sans Bold" ;;
      DejaVuSansMono) name="DejaVu Sans Mono" ;;
      DejaVuSansMono-Bold) name="DejaVu Sans Mono Bold" ;;
      tahoma) name="Tahoma" ;;
      tahomabd) name="Tahoma Bold" ;;
    esac
    wine reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\Fonts' \
      /v "$name, for vmscope (TrueType)" /t REG_SZ /d "${f##*/}.ttf" /f </dev/null >/dev/null 2>&1 || return 0
    cp "$f.ttf" "$WINEPREFIX/drive_c/windows/Fonts/" || return 0
  done
  : >"$WINEPREFIX/.vmscope-fonts-2"
}

# Start Wine's own services now, with no terminal or pipe of ours: started by
# the first test instead, they would hold its output open for as long as the
# server lives, and a caller reading that output to its end would wait.
wineboot </dev/null >/dev/null 2>&1 || true
vms_wine_fonts
