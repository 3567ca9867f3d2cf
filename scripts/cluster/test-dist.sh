#!/usr/bin/env bash
# test-dist.sh (make test-dist): runs the `make dist` bundle in a minimal Debian
# chroot (debootstrap --variant=minbase: the C library, coreutils, apt; no
# OpenBLAS, gfortran or quadmath), where only what the bundle brings can serve
# lamcap's libraries. Checks that the loader resolves each of them inside the
# bundle, and that lamcap solves with the simplex and the interior point (on the
# bundled OpenBLAS), saves a certificate and verifies it.
#
# Needs root (chroot, debootstrap). The chroot is made once (a minute or two,
# Debian's packages by name) into $LAMCAP_DIST_CHROOT, by default
# ~/.cache/lamcap/chroot-bookworm, and reused.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUNDLE=${DIST_DIR:-dist}/lamcap
CHROOT=${LAMCAP_DIST_CHROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/lamcap/chroot-bookworm}
say() { echo "test-dist: $*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root (chroot)"
[ -x "$BUNDLE/bin/lamcap" ] || fail "no bundle at $BUNDLE: run make dist"
if [ ! -x "$CHROOT/bin/sh" ]; then
  command -v debootstrap >/dev/null || {
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  say "making a minimal Debian 12 chroot in $CHROOT"
  debootstrap --variant=minbase bookworm "$CHROOT.tmp" >"$CHROOT.log" 2>&1 || fail "debootstrap failed (see $CHROOT.log)"
  mv "$CHROOT.tmp" "$CHROOT"
fi
for lib in libopenblas.so.0 libgfortran.so.5 libquadmath.so.0; do
  if chroot "$CHROOT" /sbin/ldconfig -p | grep -q "$lib"; then
    fail "the chroot has $lib of its own: the test would prove nothing"
  fi
done
# The loader finds $ORIGIN through /proc/self/exe, as on any real machine.
mountpoint -q "$CHROOT/proc" || { mount -t proc proc "$CHROOT/proc" && trap 'umount "$CHROOT/proc"' EXIT; }
dest=/opt/lamcap-dist-test
rm -rf "${CHROOT:?}$dest"
mkdir -p "$CHROOT$dest"
cp -a "$BUNDLE/." "$CHROOT$dest/"
in_chroot() { chroot "$CHROOT" env -i PATH=/usr/bin:/bin HOME=/tmp "$@"; }
ldd_out=$(in_chroot ldd "$dest/bin/lamcap")
echo "$ldd_out" >&2
! grep -q "not found" <<<"$ldd_out" || fail "a library is not found"
for f in "$BUNDLE"/lib/*; do
  lib=$(basename "$f")
  grep -q "$lib => $dest/bin/../lib/$lib" <<<"$ldd_out" || fail "$lib is not taken from the bundle"
done
in_chroot "$dest/bin/lamcap" version >&2
out=$(in_chroot "$dest/bin/lamcap" solve --d 8 --p 20 --seed 1 --solver simplex --certificate /tmp/c.json)
grep -q '^storable  (certified' <<<"$out" || fail "simplex solve: $out"
in_chroot "$dest/bin/lamcap" verify /tmp/c.json | grep -q '^certificate holds' || fail "verify"
out=$(in_chroot "$dest/bin/lamcap" solve --d 24 --p 100 --seed 1 --solver ipm)
grep -q 'lamcap interior point (OpenBLAS' <<<"$out" || fail "interior point on OpenBLAS: $out"
grep -q '(certified' <<<"$out" || fail "interior point: $out"
rm -rf "${CHROOT:?}$dest"
say "PASS: the bundle runs in a minimal Debian 12 chroot (glibc $(in_chroot ldd --version | head -1 | grep -o '[0-9.]*$')); it needs glibc >= $(cat "$BUNDLE/GLIBC")"
