#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# windows-bundle.sh: packs the Windows build with the window into
# dist/vmscope-VERSION-windows-x86_64.zip, runnable unpacked anywhere.
#
#   scripts/windows-bundle.sh [BUILDDIR]     (default build-win64-gtk)
#
# The zip holds one folder: vmscope.exe (the command line) and
# vmscope-gui.exe (the window, which vmscope.exe starts), every DLL they import, directly or
# through another DLL (read from the import tables with objdump, found in
# the GTK prefix of scripts/build-windows-gtk.sh or among MinGW's runtime
# DLLs; Windows' own DLLs are left out), the GLib settings schemas GTK's
# dialogs read, the symbolic icons of the Adwaita theme as PNGs (the prefix
# has no SVG loader), vmscope's icon as PNGs, and README.txt. GLib finds the share/ folder beside
# the DLLs, so nothing needs to be set to run it.
set -eu
host=x86_64-w64-mingw32
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${1:-build-win64-gtk}
exe="$build/vmscope.exe"
gui="$build/vmscope-gui.exe"
say() { echo "windows-bundle: $*" >&2; }
die() { say "error: $*"; exit 1; }

[ -f "$exe" ] && [ -f "$gui" ] || die "$exe or $gui not found: build them first (docs/windows.md)"
cross=$(scripts/build-windows-gtk.sh --print) || die "the GTK prefix is not built"
prefix=$(dirname "$cross")/prefix
command -v zip >/dev/null 2>&1 || die "zip is not installed (apt-get install zip)"
"$host-objdump" -p "$gui" | grep -qi 'DLL Name: libgtk-3' || die "$gui is not the build with the window"

version=$(awk -F"'" '/^ *version:/ { print $2; exit }' meson.build)
name="vmscope-$version-windows-x86_64"
stage="$root/dist/$name"
rm -rf "$stage" "$root/dist/$name.zip"
mkdir -p "$stage"

# Where a MinGW DLL may come from: the prefix, then the compiler's and
# MinGW's own runtime folders.
gccdir=$(dirname "$("$host-gcc" -print-libgcc-file-name)")
search="$prefix/bin $gccdir /usr/$host/lib /usr/$host/bin"

find_dll() { # NAME -> path, or nothing for a DLL of Windows itself
  for d in $search; do
    f=$(find "$d" -maxdepth 1 -iname "$1" 2>/dev/null | head -n 1)
    [ -n "$f" ] && { echo "$f"; return 0; }
  done
  return 0
}

imports() { "$host-objdump" -p "$1" | awk '/DLL Name:/ { print $3 }'; }

cp "$exe" "$gui" "$stage/"
todo="$(imports "$exe") $(imports "$gui")"
seen=" "
system=""
while [ -n "$todo" ]; do
  next=""
  for dll in $todo; do
    key=$(echo "$dll" | tr 'A-Z' 'a-z')
    case $seen in *" $key "*) continue ;; esac
    seen="$seen$key "
    path=$(find_dll "$dll")
    if [ -z "$path" ]; then
      # Not MinGW's or the prefix's: it must be one of Windows' own.
      case $key in
        lib*|*gcc*|*stdc++*|*pthread*) die "$dll (imported by the bundle) was found nowhere" ;;
      esac
      system="$system $dll"
      continue
    fi
    cp "$path" "$stage/"
    next="$next $(imports "$path")"
  done
  todo=$next
done

# GTK's runtime data.
mkdir -p "$stage/share/glib-2.0/schemas"
cp "$prefix/share/glib-2.0/schemas/gschemas.compiled" "$stage/share/glib-2.0/schemas/"
adwaita=/usr/share/icons/Adwaita
[ -f "$adwaita/index.theme" ] || die "the Adwaita icon theme is missing (apt-get install adwaita-icon-theme)"
mkdir -p "$stage/share/icons/Adwaita"
cp "$adwaita/index.theme" "$stage/share/icons/Adwaita/"
for size in 16x16 24x24 32x32 48x48; do
  (cd "$adwaita" && find "$size" -name '*.symbolic.png') | while read -r f; do
    mkdir -p "$stage/share/icons/Adwaita/$(dirname "$f")"
    cp "$adwaita/$f" "$stage/share/icons/Adwaita/$f"
  done
done
# vmscope's own icon, for the title bar, the taskbar and the About box:
# the prefix has no SVG loader, so PNGs at the sizes GTK asks for.
command -v rsvg-convert >/dev/null 2>&1 || die "rsvg-convert is missing (apt-get install librsvg2-bin)"
svg=data/icons/hicolor/scalable/apps/io.github.vmscope.Vmscope.svg
dirs=""
for size in 16 24 32 48 64 128 256; do
  mkdir -p "$stage/share/icons/hicolor/${size}x${size}/apps"
  rsvg-convert -w $size -h $size -o "$stage/share/icons/hicolor/${size}x${size}/apps/io.github.vmscope.Vmscope.png" "$svg"
  dirs="$dirs${dirs:+,}${size}x${size}/apps"
done
# The theme's index names the folders it has (Debian's lists sizes the zip has not).
{
  printf '[Icon Theme]\nName=Hicolor\nComment=Fallback Icon Theme\nHidden=true\nDirectories=%s\n' "$dirs"
  for size in 16 24 32 48 64 128 256; do
    printf '\n[%sx%s/apps]\nSize=%s\nContext=Applications\nType=Threshold\n' $size $size $size
  done
} >"$stage/share/icons/hicolor/index.theme"
# Without a cache GTK stats every folder per look-up; the tool is Debian's.
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
  gtk-update-icon-cache -q -f "$stage/share/icons/Adwaita" || true
  gtk-update-icon-cache -q -f "$stage/share/icons/hicolor" || true
fi

sed "s/@VERSION@/$version/g" >"$stage/README.txt" <<'EOF'
vmscope @VERSION@ for 64-bit Windows
====================================

vmscope shows the virtual address space of a running process as a map and
says how fragmented it is, refreshed live.

Unpack this folder anywhere and run vmscope.exe from it: nothing is
installed and nothing else is needed. Keep the DLLs and the share folder
beside vmscope.exe.

  vmscope.exe                  the process picker (the window)
  vmscope.exe PID              the window on process PID
  vmscope.exe --list           every process, and why one cannot be read
  vmscope.exe PID --summary    sizes by type and the fragmentation figures
  vmscope.exe --help           every option

vmscope reads other processes with VirtualQueryEx; for processes of other
users or elevated ones, run it as administrator.

This build is cross-compiled with MinGW-w64 on Debian and tested under
Wine; it has not been run on a real Windows machine yet. Reports welcome.

vmscope is free software under the GNU GPL version 3 or later. The DLLs
are GTK 3 and its libraries (GLib, cairo, pango, harfbuzz, fribidi,
pixman, gdk-pixbuf, libepoxy, ATK, libpng, zlib, libffi, PCRE2, libintl)
built from Debian's source packages, each under its own licence (LGPL,
MIT, zlib or BSD-style); the icons are from GNOME's Adwaita theme
(LGPL-3.0 or CC-BY-SA-3.0).
EOF
# Windows line ends for Notepad.
sed -i 's/$/\r/' "$stage/README.txt"

# Debug information is most of the DLLs' size and no use to a user.
for f in "$stage"/*.dll "$stage"/*.exe; do "$host-strip" --strip-unneeded "$f"; done

(cd "$root/dist" && zip -q -r -9 "$name.zip" "$name")
say "imports from Windows itself:$system"
say "$(ls "$stage"/*.dll | wc -l) DLLs; dist/$name.zip: $(du -h "$root/dist/$name.zip" | cut -f1)"
echo "$root/dist/$name.zip"
