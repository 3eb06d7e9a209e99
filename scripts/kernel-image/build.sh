#!/usr/bin/env bash
# Rebuild the in-page Linux 6.12 images from Debian 12 packages.
#
#   scripts/kernel-image/build.sh kernel      # bzImage (a few minutes to an hour on 2 cores)
#   scripts/kernel-image/build.sh initramfs   # initramfs.cpio from kernel-checks/*.c (seconds)
#   scripts/kernel-image/build.sh bios        # copy SeaBIOS from Debian's seabios package
#   scripts/kernel-image/build.sh all         # all three, then SHA256SUMS
#   scripts/kernel-image/build.sh notices     # copy the licence texts next to the images
#   scripts/kernel-image/build.sh sums        # only rewrite SHA256SUMS
#   scripts/kernel-image/build.sh sources     # only rewrite SOURCES (from the installed packages) and SHA256SUMS
#
# Needs (Debian 12, `apt-get install`): linux-source-6.12 build-essential flex bison bc
# libelf-dev cpio seabios, and for the initramfs musl-dev:i386 (after
# `dpkg --add-architecture i386`), which provides i386-linux-musl-gcc.
# A contributor without these can run the same script in a Debian 12 container: see
# scripts/kernel-image/README.md.
#
# Environment:
#   KBUILD_DIR   where the kernel source is extracted and built (default /tmp/dpl-kbuild);
#                never the read-only tree of another checkout.
#   JOBS         make -j (default 2); the build runs under `nice -n 19`.
#   KSRC_TARBALL Debian's source tarball (default /usr/src/linux-source-6.12.tar.xz).
#
# Output goes to public/realkernel/ (served by the site as /realkernel/...):
#   bzImage, initramfs.cpio, bios.bin, kernel.config, SHA256SUMS, SOURCES, initramfs.inputs
#   (SHA-256 of the C sources inside the initramfs).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/public/realkernel"
KBUILD_DIR="${KBUILD_DIR:-/tmp/dpl-kbuild}"
JOBS="${JOBS:-2}"
KSRC_TARBALL="${KSRC_TARBALL:-/usr/src/linux-source-6.12.tar.xz}"
KSRC_PKG="linux-source-6.12"
fragment="$here/kernel.config-fragment"

# Fixed build metadata: the image must not embed when, where or by whom it was built.
export KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026"
export KBUILD_BUILD_USER="datapathlab"
export KBUILD_BUILD_HOST="datapathlab"
export KBUILD_BUILD_VERSION="1"
export LOCALVERSION=""
# Files in the cpio all get this mtime (1 Jan 2026, seconds since the epoch).
CPIO_MTIME=1767225600
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH="$CPIO_MTIME"

die() { echo "build.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "missing $1 ($2)"; }

# The Debian version of a package, e.g. 6.12.118-1~deb12u1, or "unknown".
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }

src_dir() { echo "$KBUILD_DIR/$KSRC_PKG"; }

extract_source() {
  [ -f "$KSRC_TARBALL" ] || die "no $KSRC_TARBALL: apt-get install $KSRC_PKG"
  local stamp="$KBUILD_DIR/.extracted-$(pkg_version "$KSRC_PKG")"
  if [ ! -f "$stamp" ]; then
    echo "== extracting $KSRC_TARBALL into $KBUILD_DIR"
    rm -rf "$(src_dir)" "$KBUILD_DIR"/.extracted-*
    mkdir -p "$KBUILD_DIR"
    tar -C "$KBUILD_DIR" -xJf "$KSRC_TARBALL"
    touch "$stamp"
  fi
}

build_kernel() {
  need gcc build-essential; need flex flex; need bison bison; need bc bc
  extract_source
  local src obj
  src="$(src_dir)"; obj="$KBUILD_DIR/obj-i386"
  mkdir -p "$obj"
  local mk=(nice -n 19 make -C "$src" O="$obj" ARCH=i386 -j"$JOBS")
  echo "== tinyconfig + $(basename "$fragment")"
  "${mk[@]}" tinyconfig >/dev/null
  "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$fragment" >/dev/null
  "${mk[@]}" olddefconfig >/dev/null
  check_config "$obj/.config"
  echo "== building bzImage (nice -n 19 make -j$JOBS)"
  "${mk[@]}" bzImage
  mkdir -p "$out"
  cp "$obj/arch/x86/boot/bzImage" "$out/bzImage"
  # The config the image was built from, minus the header line that names the build time.
  grep -v '^# Linux/' "$obj/.config" | grep -v '^# Compiler:' > "$out/kernel.config"
  echo "kernel: $(stat -c %s "$out/bzImage") bytes"
}

# Every CONFIG line of the fragment must survive olddefconfig unchanged.
check_config() {
  local cfg="$1" bad=0 line name
  while IFS= read -r line; do
    case "$line" in
      CONFIG_*=*) name="${line%%=*}";;
      "# CONFIG_"*" is not set") name="${line#\# }"; name="${name%% *}";;
      *) continue;;
    esac
    if ! grep -qxF -- "$line" "$cfg"; then
      # "is not set" also holds when the symbol is absent altogether.
      if [[ "$line" == "# "* ]] && ! grep -q "^$name=" "$cfg"; then continue; fi
      echo "config: wanted '$line', got '$(grep -E "^(# )?$name[= ]" "$cfg" || echo absent)'" >&2
      bad=1
    fi
  done < "$fragment"
  [ "$bad" = 0 ] || die "the fragment did not apply (a dependency is missing?)"
}

gen_init_cpio() {
  local bin="$KBUILD_DIR/gen_init_cpio"
  if [ ! -x "$bin" ]; then
    mkdir -p "$KBUILD_DIR"
    local c="$(src_dir)/usr/gen_init_cpio.c"
    if [ ! -f "$c" ]; then
      [ -f "$KSRC_TARBALL" ] || die "no $KSRC_TARBALL: apt-get install $KSRC_PKG (needed for usr/gen_init_cpio.c)"
      tar -C "$KBUILD_DIR" -xJf "$KSRC_TARBALL" "$KSRC_PKG/usr/gen_init_cpio.c"
    fi
    cc -O2 -o "$bin" "$c"
  fi
  echo "$bin"
}

# kernel-checks/*.c whose text carries the tag `// vm: yes` go into the image as /checks/<name>.
vm_checks() {
  local f
  for f in "$repo"/kernel-checks/*.c; do
    [ -f "$f" ] || continue
    grep -qE '^[[:space:]]*//[[:space:]]*vm:[[:space:]]*yes[[:space:]]*$' "$f" && echo "$f"
  done | LC_ALL=C sort
}

build_initramfs() {
  need i386-linux-musl-gcc "apt-get install musl-dev:i386 after dpkg --add-architecture i386"
  local cpio tmp
  cpio="$(gen_init_cpio)"
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' RETURN
  local cflags=(-static -Os -s -Wall -Werror -std=gnu11 -ffile-prefix-map="$repo"/=
                -Wl,--build-id=none -I"$repo/kernel-checks")
  echo "== /init"
  i386-linux-musl-gcc "${cflags[@]}" -o "$tmp/init" "$here/init.c"
  {
    echo "dir /dev 0755 0 0"
    echo "nod /dev/console 0600 0 0 c 5 1"
    echo "dir /proc 0755 0 0"
    echo "dir /sys 0755 0 0"
    echo "dir /tmp 1777 0 0"
    echo "dir /checks 0755 0 0"
    echo "file /init $tmp/init 0755 0 0"
  } > "$tmp/list"
  local f name
  while IFS= read -r f; do
    name="$(basename "$f" .c)"
    echo "== /checks/$name"
    i386-linux-musl-gcc "${cflags[@]}" -o "$tmp/$name" "$f"
    echo "file /checks/$name $tmp/$name 0755 0 0" >> "$tmp/list"
  done < <(vm_checks)
  mkdir -p "$out"
  "$cpio" -t "$CPIO_MTIME" "$tmp/list" > "$out/initramfs.cpio"
  echo "initramfs: $(stat -c %s "$out/initramfs.cpio") bytes, $(grep -c '^file /checks/' "$tmp/list") checks"
}

copy_bios() {
  [ -f /usr/share/seabios/bios.bin ] || die "no /usr/share/seabios/bios.bin: apt-get install seabios"
  mkdir -p "$out"
  cp /usr/share/seabios/bios.bin "$out/bios.bin"
}

# Sets "key: value" in public/realkernel/SOURCES (keeps the other keys).
set_source() {
  local f="$out/SOURCES" key="$1" value="$2"
  mkdir -p "$out"
  [ -f "$f" ] || echo "# Where every file in this folder comes from (kept by scripts/kernel-image/build.sh)." > "$f"
  grep -v "^$key: " "$f" > "$f.tmp" || true
  echo "$key: $value" >> "$f.tmp"
  { head -n1 "$f.tmp"; tail -n +2 "$f.tmp" | LC_ALL=C sort; } > "$f"
  rm -f "$f.tmp"
}

record_kernel_sources() {
  local v
  v="$(sed -n 's/^VERSION = //p;s/^PATCHLEVEL = //p;s/^SUBLEVEL = //p' "$(src_dir)/Makefile" | paste -sd.)"
  set_source kernel-source "Debian package $KSRC_PKG $(pkg_version "$KSRC_PKG") (bookworm), file $KSRC_TARBALL"
  set_source kernel-version "$v"
  set_source kernel-config "kernel.config (tinyconfig + scripts/kernel-image/kernel.config-fragment, ARCH=i386)"
  set_source kernel-compiler "gcc-12 $(pkg_version gcc-12), binutils $(pkg_version binutils)"
  set_source kernel-build-metadata "KBUILD_BUILD_TIMESTAMP='$KBUILD_BUILD_TIMESTAMP' KBUILD_BUILD_USER=$KBUILD_BUILD_USER KBUILD_BUILD_HOST=$KBUILD_BUILD_HOST KBUILD_BUILD_VERSION=$KBUILD_BUILD_VERSION LOCALVERSION="
}

record_initramfs_sources() {
  set_source initramfs-compiler "i386-linux-musl-gcc from Debian musl-dev:i386 $(pkg_version musl-dev:i386), gcc-12 $(pkg_version gcc-12)"
  set_source initramfs-cpio "usr/gen_init_cpio from $KSRC_PKG $(pkg_version "$KSRC_PKG"), -t $CPIO_MTIME"
  set_source initramfs-programs "scripts/kernel-image/init.c as /init; $(vm_checks | xargs -n1 basename | paste -sd' ') as /checks/*"
  # The sources the initramfs was built from, so a test can tell when it is stale.
  (cd "$repo" && sha256sum scripts/kernel-image/init.c $(vm_checks | sed "s|^$repo/||")) > "$out/initramfs.inputs"
}

record_bios_sources() {
  set_source bios "Debian package seabios $(pkg_version seabios) (bookworm), /usr/share/seabios/bios.bin"
}

# Licence texts that must travel with the binaries (see public/realkernel/LICENSES.md).
copy_notices() {
  local d="$out/licenses"
  mkdir -p "$d"
  cp /usr/share/common-licenses/GPL-2 "$d/GPL-2.0.txt"
  cp /usr/share/common-licenses/GPL-3 "$d/GPL-3.0.txt"
  cp /usr/share/common-licenses/LGPL-3 "$d/LGPL-3.0.txt"
  cp /usr/share/doc/seabios/copyright "$d/seabios-copyright.txt"
  cp /usr/share/doc/musl-dev/copyright "$d/musl-copyright.txt"
  cp "$repo/node_modules/v86/LICENSE" "$d/v86-LICENSE.txt"
  if [ -f "$(src_dir)/COPYING" ]; then
    cp "$(src_dir)/COPYING" "$d/linux-COPYING.txt"
    cp "$(src_dir)/LICENSES/exceptions/Linux-syscall-note" "$d/Linux-syscall-note.txt"
  fi
}

write_sums() {
  cd "$out"
  local f files=()
  for f in bzImage initramfs.cpio bios.bin kernel.config; do [ -f "$f" ] && files+=("$f"); done
  sha256sum "${files[@]}" > SHA256SUMS
  cat SHA256SUMS
}

case "${1:-all}" in
  kernel) build_kernel; record_kernel_sources; write_sums;;
  initramfs) build_initramfs; record_initramfs_sources; write_sums;;
  bios) copy_bios; record_bios_sources; write_sums;;
  notices) copy_notices;;
  sums) write_sums;;
  sources) record_kernel_sources; record_initramfs_sources; record_bios_sources; write_sums;;
  all) build_kernel; record_kernel_sources; build_initramfs; record_initramfs_sources
       copy_bios; record_bios_sources; copy_notices; write_sums;;
  *) die "usage: $0 [kernel|initramfs|bios|notices|all|sums|sources]";;
esac
