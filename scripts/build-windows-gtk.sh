#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# build-windows-gtk.sh: cross-builds the GTK 3 stack for 64-bit Windows
# (x86_64-w64-mingw32, shared DLLs) from Debian's own source packages, once
# per machine, into a cache outside the checkout, and writes a meson cross
# file that builds vmscope.exe with the window against it.
#
#   scripts/build-windows-gtk.sh            build (or find) the prefix; print the cross file's path
#   scripts/build-windows-gtk.sh --print    print the cross file's path if the prefix is built, else fail
#   meson setup build-win64-gtk --cross-file "$(scripts/build-windows-gtk.sh)" --wrap-mode=nodownload
#
# The prefix is $VMS_GTK_CACHE/mingw-gtk-HASH (default VMS_GTK_CACHE:
# ${XDG_CACHE_HOME:-$HOME/.cache}/vmscope), HASH being over this script,
# which pins every source version below. A finished prefix has a stamp
# file and is reused at once by every later run; a failed run keeps the
# packages it finished and resumes at the one that failed. Sources come
# from the apt archive the machine already uses, through a private source
# list and private package lists (the machine's apt configuration and
# state are left alone); nothing is downloaded by meson.
#
# Progress goes to stderr; only the cross file's path goes to stdout.
# VMS_GTK_HASH=NAME builds into mingw-gtk-NAME instead, for work on this
# script itself (its hash changes with every edit).
set -eu

host=x86_64-w64-mingw32
root=$(cd "$(dirname "$0")/.." && pwd)
script="$root/scripts/build-windows-gtk.sh"

# Source package versions, in build order. Changing one changes the hash.
# bookworm's, except at-spi2-core (ATK): the bookworm tarball is missing
# from the archive, so trixie's, built as ATK alone.
sources="
gettext=0.21-12
libffi=3.4.4-1
pcre2=10.42-1+deb12u2
glib2.0=2.74.6-2+deb12u9
pixman=0.42.2-1
libpng1.6=1.6.39-2+deb12u6
cairo=1.16.0-7
fribidi=1.0.8-2.1
harfbuzz=6.0.0+dfsg-3
pango1.0=1.50.12+ds-1
gdk-pixbuf=2.42.10+dfsg-1+deb12u4
libepoxy=1.5.10-1
at-spi2-core=2.56.2-1+deb13u2
gtk+3.0=3.24.38-2~deb12u3
"

say() { echo "build-windows-gtk: $*" >&2; }
die() { say "error: $*"; exit 1; }

cache=${VMS_GTK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
hash=${VMS_GTK_HASH:-$(sha256sum "$script" | cut -c1-12)}
dir="$cache/mingw-gtk-$hash"
prefix="$dir/prefix"
cross="$dir/$host-gtk.txt"
stamp="$dir/done"

if [ -f "$stamp" ] && [ -f "$cross" ]; then
  say "using $prefix (built $(cat "$stamp"))"
  echo "$cross"
  exit 0
fi
[ "${1:-}" = "--print" ] && die "the GTK prefix for this script ($dir) is not built: run scripts/build-windows-gtk.sh"

t_start=$(date +%s)

# --- Debian packages this build needs (installed only when missing) ---------
need="mingw-w64 meson ninja-build pkg-config make xz-utils bzip2 python3
  libglib2.0-dev-bin libz-mingw-w64-dev gettext"
missing=""
for p in $need; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  say "installing$missing"
  if [ "$(id -u)" -eq 0 ]; then sudo=""
  elif command -v sudo >/dev/null 2>&1; then sudo="sudo"
  else die "these packages are missing and I am not root: apt-get install$missing"
  fi
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
    die "apt-get install$missing failed"
fi

# --- Sources: a private apt source list over the machine's own mirror ---------
srcdir="$cache/sources"
aptdir="$cache/apt"
mkdir -p "$srcdir" "$aptdir/lists/partial" "$dir/logs"

# orig_tarball PKG VERSION: the path of the package's upstream tarball, if fetched.
orig_tarball() {
  up=${2#*:}
  up=${up%-*}
  for f in "$srcdir/${1}_$up.orig.tar."*; do
    case $f in *.asc) continue ;; esac
    [ -f "$f" ] && { echo "$f"; return 0; }
  done
  return 1
}

fetch_needed=""
for sv in $sources; do
  p=${sv%%=*} v=${sv#*=}
  orig_tarball "$p" "$v" >/dev/null || fetch_needed="$fetch_needed $p=$v"
done
if [ -n "$fetch_needed" ]; then
  # The mirror the machine already uses for Debian (deb822 or one-line lists).
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -Eo 'https?://[^ ]*/debian/?( |$)' | grep -v security | head -n 1 | tr -d ' ')
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  mirror=${mirror%/}
  cat >"$aptdir/sources.list" <<EOF
deb-src $mirror bookworm main
deb-src $mirror bookworm-updates main
deb-src ${mirror}-security bookworm-security main
deb-src $mirror trixie main
EOF
  apt_opts="-o Dir::Etc::SourceList=$aptdir/sources.list -o Dir::Etc::SourceParts=/nonexistent
    -o Dir::State::Lists=$aptdir/lists -o Dir::Cache=$aptdir/cache -o APT::Sandbox::User=root"
  mkdir -p "$aptdir/cache/archives/partial"
  say "fetching sources from $mirror:$fetch_needed"
  # shellcheck disable=SC2086
  apt-get $apt_opts update >"$dir/logs/apt-update.log" 2>&1 || {
    tail -n 20 "$dir/logs/apt-update.log" >&2; die "apt-get update with the private source list failed"; }
  # Only the upstream tarballs are built from; a mirror that lacks a
  # package's .dsc or Debian tarball (some do) is no failure. apt checks
  # what it fetches against the signed indexes.
  # shellcheck disable=SC2086
  (cd "$srcdir" && apt-get $apt_opts source --download-only $fetch_needed) >"$dir/logs/apt-source.log" 2>&1 || true
  for pv in $fetch_needed; do
    orig_tarball "${pv%%=*}" "${pv#*=}" >/dev/null || {
      grep -E '^(Err|E:)' "$dir/logs/apt-source.log" | tail -n 20 >&2
      die "no upstream tarball for $pv from $mirror (a pinned version may have left the archive: see 'sources=' in $script)"; }
  done
fi

# --- The cross files: one for building the stack, one for vmscope ------------
mkdir -p "$prefix/lib/pkgconfig" "$prefix/bin" "$prefix/include"
# zlib is Debian's MinGW build (libz-mingw-w64-dev).
sed "s|^prefix=.*|prefix=/usr/$host|" "/usr/$host/lib/pkgconfig/zlib.pc" >"$prefix/lib/pkgconfig/zlib.pc"
cp "/usr/$host/lib/zlib1.dll" "$prefix/bin/"
# MinGW's -pthread (meson's threads dependency, in vmscope too) links
# libwinpthread as a DLL: it belongs with the others.
cp "/usr/$host/lib/libwinpthread-1.dll" "$prefix/bin/"

# Debian ships glib-compile-schemas in libglib2.0-0 too, outside PATH.
gcs=$(command -v glib-compile-schemas || echo /usr/lib/x86_64-linux-gnu/glib-2.0/glib-compile-schemas)
write_cross() { # FILE [EXE-WRAPPER-LINE]
  cat >"$1" <<EOF
# Generated by scripts/build-windows-gtk.sh: MinGW-w64 with the GTK 3 prefix
# $prefix
[binaries]
c = '$host-gcc'
cpp = '$host-g++'
ar = '$host-ar'
strip = '$host-strip'
windres = '$host-windres'
pkgconfig = 'pkg-config'
$2# GLib's code generators run on the build machine (Debian's libglib2.0-dev-bin).
glib-compile-resources = '$(command -v glib-compile-resources)'
glib-compile-schemas = '$gcs'
glib-mkenums = '$(command -v glib-mkenums)'
glib-genmarshal = '$(command -v glib-genmarshal)'

[properties]
pkg_config_libdir = ['$prefix/lib/pkgconfig']
needs_exe_wrapper = true

[built-in options]
c_args = ['-I$prefix/include']
c_link_args = ['-L$prefix/lib', '-static-libgcc']
cpp_args = ['-I$prefix/include']
cpp_link_args = ['-L$prefix/lib', '-static-libgcc', '-static-libstdc++']

[host_machine]
system = 'windows'
cpu_family = 'x86_64'
cpu = 'x86_64'
endian = 'little'
EOF
}
build_cross="$dir/build-cross.txt"
# No exe_wrapper while the stack is built: configure checks that would run
# a program under Wine (in a default prefix of its own) take their
# cross-compiling answers instead.
write_cross "$build_cross" ""

# --- Building -----------------------------------------------------------------
work="$dir/work"
mkdir -p "$work"
jobs=$(nproc 2>/dev/null || echo 2)
export PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig"
unset PKG_CONFIG_PATH
export PATH="$prefix/bin:$PATH"

current=""
fail() { # called on a failing step: the log's tail, then exit
  say "FAILED: $current (log: $log)"
  [ -f "$log" ] && tail -n 40 "$log" >&2
  exit 1
}

# unpack PKG: the source package as Debian ships it, unpacked once into $work/PKG.
unpack() {
  v=$(echo "$sources" | awk -F= -v p="$1" '$1 == p { print $2 }')
  d="$work/$1"
  if [ ! -d "$d" ]; then
    rm -rf "$d.tmp"
    mkdir -p "$d.tmp"
    # The upstream tree from Debian's orig tarball: Debian's patches are for
    # its Linux packaging (and not every mirror carries them).
    tar -xf "$(orig_tarball "$1" "$v")" --strip-components=1 -C "$d.tmp" >>"$log" 2>&1 || fail
    mv "$d.tmp" "$d"
  fi
  src="$d"
}

# step PKG: says what is built; returns 1 when PKG is already installed.
step() {
  current=$1
  log="$dir/logs/$1.log"
  if [ -f "$dir/stamp-$1" ]; then
    say "[$1] already built"
    return 1
  fi
  say "[$1] building ($(echo "$sources" | awk -F= -v p="$1" '$1 == p { print $2 }'))"
  : >"$log"
  step_t0=$(date +%s)
  return 0
}
done_step() {
  date +%s >"$dir/stamp-$current"
  say "[$current] done in $(($(date +%s) - step_t0)) s"
}

run() { nice -n 10 "$@" >>"$log" 2>&1 || fail; }

# meson_pkg PKG MESON-OPTIONS...
meson_pkg() {
  p=$1
  shift
  unpack "$p"
  rm -rf "$src/_build"
  run meson setup "$src/_build" "$src" --cross-file "$build_cross" --prefix "$prefix" \
    --libdir lib --buildtype release --default-library shared --wrap-mode nodownload \
    -Dwerror=false "$@"
  run ninja -C "$src/_build" -j "$jobs"
  run meson install -C "$src/_build" --no-rebuild
  rm -rf "$src/_build"
}

# autotools_pkg PKG SUBDIR CONFIGURE-OPTIONS... (SUBDIR: where configure is)
configure_pkg() {
  p=$1 sub=$2
  shift 2
  unpack "$p"
  cd "$src/$sub"
  # -static-libgcc in CC, not only LDFLAGS: libtool drops it from the
  # latter when it links a DLL (cairo then imports libgcc_s_seh-1.dll).
  run env CC="$host-gcc -static-libgcc" CPPFLAGS="-I$prefix/include" CFLAGS="-O2" LDFLAGS="-L$prefix/lib -static-libgcc" \
    ./configure --host="$host" --prefix="$prefix" --enable-shared --disable-static "$@"
}

if step gettext; then
  # libintl only (gettext-runtime/intl), for GLib's translations.
  configure_pkg gettext gettext-runtime --disable-java --disable-csharp --disable-libasprintf \
    --disable-openmp --disable-curses --without-emacs --enable-nls
  run make -C intl -j "$jobs"
  run make -C intl install
  # GLib builds with -Werror=format-nonliteral, so ngettext and friends must
  # carry format_arg (gettext's header gives it to GCC): checked here, so
  # that a header without it fails now and not deep inside GLib's build.
  run grep -q '__attribute__ ((__format_arg__ (n)))' "$prefix/include/libintl.h"
  done_step
fi

if step libffi; then
  configure_pkg libffi . --disable-docs --disable-multi-os-directory
  run make -j "$jobs"
  run make install
  done_step
fi

if step pcre2; then
  configure_pkg pcre2 . --enable-pcre2-16 --enable-unicode --disable-pcre2grep-libz \
    --disable-pcre2grep-libbz2 --disable-pcre2test-libreadline
  run make -j "$jobs"
  run make install
  done_step
fi

if step glib2.0; then
  meson_pkg glib2.0 -Dtests=false -Dinstalled_tests=false -Dman=false -Dgtk_doc=false \
    -Dnls=enabled -Dlibmount=disabled -Dselinux=disabled -Dxattr=false -Dlibelf=disabled \
    -Ddtrace=false -Dsystemtap=false -Dsysprof=disabled -Dglib_debug=disabled
  done_step
fi

if step pixman; then
  meson_pkg pixman -Dtests=disabled -Dgtk=disabled -Dlibpng=disabled -Dopenmp=disabled
  done_step
fi

if step libpng1.6; then
  configure_pkg libpng1.6 .
  run make -j "$jobs"
  run make install
  done_step
fi

if step cairo; then
  unpack cairo
  # cairo's configure adds -D_FORTIFY_SOURCE=2, whose checks need libssp on
  # MinGW; leave it out.
  run sed -i 's/-D_FORTIFY_SOURCE=2//g' "$src/configure"
  configure_pkg cairo . --enable-win32 --enable-win32-font --enable-png --enable-pdf --enable-ps \
    --enable-svg --enable-gobject --enable-script=no --enable-interpreter=no --enable-trace=no \
    --enable-xlib=no --enable-xlib-xrender=no --enable-xcb=no --enable-ft=no --enable-fc=no \
    --enable-gl=no --enable-glesv2=no --enable-quartz=no --enable-symbol-lookup=no --disable-gtk-doc
  # The library and cairo-gobject; not the tests, perf or tools.
  run make -C src -j "$jobs"
  run make -C src install
  run make -C util/cairo-gobject -j "$jobs"
  run make -C util/cairo-gobject install
  done_step
fi

if step fribidi; then
  meson_pkg fribidi -Ddocs=false
  done_step
fi

if step harfbuzz; then
  meson_pkg harfbuzz -Dglib=enabled -Dgobject=disabled -Dcairo=disabled -Dfreetype=disabled \
    -Dicu=disabled -Dgraphite2=disabled -Dchafa=disabled -Dgdi=enabled -Ddirectwrite=disabled \
    -Dtests=disabled -Ddocs=disabled -Dintrospection=disabled -Dbenchmark=disabled
  done_step
fi

if step pango1.0; then
  meson_pkg pango1.0 -Dintrospection=disabled -Dfontconfig=disabled -Dfreetype=disabled \
    -Dcairo=enabled -Dxft=disabled -Dlibthai=disabled -Dgtk_doc=false -Dinstall-tests=false \
    -Dsysprof=disabled
  done_step
fi

if step gdk-pixbuf; then
  meson_pkg gdk-pixbuf -Dpng=enabled -Djpeg=disabled -Dtiff=disabled \
    -Dbuiltin_loaders=png -Dintrospection=disabled -Dman=false -Dgtk_doc=false \
    -Dinstalled_tests=false -Dtests=false -Dnative_windows_loaders=false -Drelocatable=true
  done_step
fi

if step libepoxy; then
  meson_pkg libepoxy -Dtests=false -Ddocs=false -Degl=no -Dglx=no -Dx11=false
  done_step
fi

if step at-spi2-core; then
  unpack at-spi2-core
  # With atk_only only the tests (not built) use libxml2, but meson.build
  # asks for it regardless; ask for it only when more than ATK is built.
  run sed -i "s/^libxml_dep = dependency('libxml-2.0', version: libxml_req_version)\$/libxml_dep = dependency('libxml-2.0', version: libxml_req_version, required: not get_option('atk_only'))/" \
    "$src/meson.build"
  run grep -q "required: not get_option('atk_only'))" "$src/meson.build"
  meson_pkg at-spi2-core -Datk_only=true -Dintrospection=disabled -Ddocs=false
  done_step
fi

if step gtk+3.0; then
  meson_pkg gtk+3.0 -Dwin32_backend=true -Dx11_backend=false -Dwayland_backend=false \
    -Dbroadway_backend=false -Dquartz_backend=false -Dintrospection=false -Ddemos=false \
    -Dexamples=false -Dtests=false -Dinstalled_tests=false -Dgtk_doc=false -Dman=false \
    -Dcolord=no -Dcloudproviders=false -Dbuiltin_immodules=all
  # Settings schemas, compiled as the running program will look for them.
  "$gcs" "$prefix/share/glib-2.0/schemas" >>"$log" 2>&1 || fail
  done_step
fi

# vmscope's: the same, with Wine as exe_wrapper and the prefix's DLLs on
# Wine's search path, so that `meson test` runs the Windows tests as they are.
# (backslashes doubled: meson strings have escapes)
winepath_bin=$(printf 'Z:%s' "$prefix/bin" | sed 's|/|\\\\|g')
write_cross "$cross" "exe_wrapper = ['env', 'WINEPATH=$winepath_bin', 'wine']
"
rm -rf "$work"
t_end=$(date +%s)
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) in $((t_end - t_start)) s" >"$stamp"
say "done in $((t_end - t_start)) s: $prefix ($(du -sh "$prefix" | cut -f1))"
echo "$cross"
