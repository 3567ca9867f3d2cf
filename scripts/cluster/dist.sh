#!/usr/bin/env bash
# dist.sh (make dist): a lamcap bundle that runs on a Linux machine with nothing
# installed but the C library (glibc), e.g. a cluster's compute nodes.
#
#   dist/lamcap/bin/lamcap   built with an rpath of $ORIGIN/../lib (DT_RPATH, so
#                            that it also serves the libraries' own dependencies)
#   dist/lamcap/lib/         every shared library lamcap needs that glibc does not
#                            provide: OpenBLAS, gfortran, quadmath, libstdc++,
#                            libgcc_s (HiGHS is linked statically)
#   dist/lamcap/GLIBC        the oldest glibc the bundle runs on: the newest GLIBC_
#                            symbol version any of its files needs
#   dist/lamcap-linux-ARCH.tar.gz  the same, packed
#
# Copy the folder (or unpack the tarball) anywhere and run bin/lamcap; moving it
# keeps working, as the rpath is relative to the binary. make test-dist runs it in
# a minimal Debian chroot (test-dist.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
GO=${GO:-go}
OUT=${DIST_DIR:-dist}/lamcap
rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/lib"
REVISION=$(git rev-parse HEAD 2>/dev/null || true)$(git diff --quiet HEAD 2>/dev/null || echo ' (modified)')
# libstdc++ is linked statically: HiGHS's pkg-config names -lstdc++, and a
# directory holding only libstdc++.a, searched first, makes the linker take the
# archive (the shared libstdc++ of Debian 12 needs glibc 2.36, for arc4random).
STATIC=$(mktemp -d)
trap 'rm -rf "$STATIC"' EXIT
ln -s "$(g++ -print-file-name=libstdc++.a)" "$STATIC/libstdc++.a"
[ -e "$STATIC/libstdc++.a" ] || { echo "dist: libstdc++.a not found (Debian: libstdc++-12-dev)" >&2; exit 1; }
# shellcheck disable=SC2016 # $ORIGIN is for the dynamic linker, not the shell
"$GO" build -tags lamcapdist -trimpath -ldflags "-X 'github.com/lamcap/lamcap/internal/buildinfo.revision=$REVISION' \
  -extldflags '-L$STATIC -Wl,-rpath,\$ORIGIN/../lib -Wl,--disable-new-dtags'" -o "$OUT/bin/lamcap" ./cmd/lamcap

# glibc's own libraries stay the system's: they must match the system's loader.
is_glibc() {
  case "$1" in
    linux-vdso.so.* | ld-linux*.so.* | libc.so.* | libgcc_s.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | \
      libresolv.so.* | libutil.so.* | libmvec.so.* | libnsl.so.* | libanl.so.*) return 0 ;;
  esac
  return 1
}
ldd "$OUT/bin/lamcap" | while read -r name arrow path _; do
  [ "$arrow" = "=>" ] || continue
  is_glibc "$name" && continue
  [ -f "$path" ] || { echo "dist: $name not found ($path)" >&2; exit 1; }
  cp -L "$path" "$OUT/lib/$name" # the file itself, under its soname
done
[ -n "$(ls "$OUT/lib")" ] || { echo "dist: no library copied; is bin/lamcap linked statically?" >&2; exit 1; }

# The oldest glibc: the newest GLIBC_x.y version among the symbols the files use.
glibc=$(for f in "$OUT/bin/lamcap" "$OUT"/lib/*; do objdump -T "$f"; done |
  grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n 1)
echo "$glibc" >"$OUT/GLIBC"
arch=$(uname -m)
tar -C "$(dirname "$OUT")" -czf "$(dirname "$OUT")/lamcap-linux-$arch.tar.gz" lamcap
echo "dist: $OUT (bin/lamcap and $(ls "$OUT/lib" | tr '\n' ' ')); needs glibc >= $glibc; packed as $(dirname "$OUT")/lamcap-linux-$arch.tar.gz" >&2
