#!/usr/bin/env bash
# install-highs.sh: make HiGHS 1.10.0 available to the Go build.
#
# Order of preference:
#   1. a HiGHS already installed in lamcap's per-user cache prefix (PREFIX below);
#   2. a HiGHS 1.10.x that pkg-config already finds (the user's own install);
#   3. otherwise build HiGHS 1.10.0 from Debian 13's source package into PREFIX,
#      fetched by package name with a private apt configuration (the system's apt
#      setup is never changed) and verified by its sha256.
#
# The build is static (libhighs.a, position independent), so bin/lamcap carries the
# solver inside it and runs from any directory, or on another machine, without
# LD_LIBRARY_PATH. A second run finds the prefix and returns in well under a second.
#
# Prints the pkg-config directory to use on its last line of stdout.
set -euo pipefail

VERSION=1.10.0
SHA256=5964fc1ca4f0b23dd45987bbed1838f2e570e96aa624635ac63d277152b6c94a
TARBALL="highs_${VERSION}+ds.orig.tar.xz"
PREFIX="${LAMCAP_HIGHS_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/lamcap/highs-${VERSION}}"

say() { echo "install-highs: $*" >&2; }
die() { echo "install-highs: error: $*" >&2; exit 1; }

# 1. Already built by us.
if [ -f "$PREFIX/lib/pkgconfig/highs.pc" ] && [ -f "$PREFIX/.lamcap-complete" ]; then
  echo "$PREFIX/lib/pkgconfig"
  exit 0
fi

# 2. The user's own HiGHS, if pkg-config finds one of the version the binding needs.
if [ -z "${LAMCAP_HIGHS_FORCE_BUILD:-}" ] && pkg-config --exists highs 2>/dev/null; then
  have=$(pkg-config --modversion highs)
  case "$have" in
    1.10.*) say "using the HiGHS $have that pkg-config finds"; echo ""; exit 0 ;;
    *) say "pkg-config finds HiGHS $have, but github.com/lanl/highs v1.0.0 needs 1.10.x; building 1.10.0" ;;
  esac
fi

# 3. Build it.
need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install HiGHS 1.10.0 yourself and make 'pkg-config highs' find it"
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing ${need[*]} with apt-get"
    apt-get update -qq >/dev/null || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
  else
    die "missing ${need[*]}: run 'sudo apt-get install ${need[*]}' and then 'make highs' again"
  fi
fi

# The Debian mirror the system already uses (deb822 or one-line format).
mirror=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
if [ -z "$mirror" ]; then
  mirror=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v security | awk '{print $2}' | head -n1 || true)
fi
[ -n "$mirror" ] || die "cannot find a Debian mirror in the system's apt sources"

work=$(mktemp -d "${TMPDIR:-/tmp}/lamcap-highs.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
echo "deb-src $mirror trixie main" >"$work/sources.list"
aptopts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=/nonexistent
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Debug::NoLocking=1
  -o APT::Sandbox::User=root)
say "fetching the highs source package (trixie) from $mirror"
apt-get "${aptopts[@]}" update -qq >/dev/null 2>&1 || die "apt-get update of the private source list failed"
# On this mirror the .dsc is missing, so apt-get exits non-zero after fetching the
# tarball: success is judged by the tarball and its checksum, not the exit code.
(cd "$work/src" && apt-get "${aptopts[@]}" source --download-only "highs=${VERSION}+ds-1" >/dev/null 2>&1 ||
  apt-get "${aptopts[@]}" source --download-only highs >/dev/null 2>&1) || true
[ -f "$work/src/$TARBALL" ] || die "could not download $TARBALL"
echo "$SHA256  $work/src/$TARBALL" | sha256sum -c --quiet - || die "checksum mismatch for $TARBALL"

say "building HiGHS $VERSION (static, about 4 minutes on 2 cores)"
tar -xf "$work/src/$TARBALL" -C "$work/src"
srcdir=$(find "$work/src" -maxdepth 1 -mindepth 1 -type d | head -n1)
gen=()
command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
cmake -S "$srcdir" -B "$work/build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DZLIB=OFF -DFAST_BUILD=ON \
  -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib >"$work/cmake.log" 2>&1 ||
  { tail -n 30 "$work/cmake.log" >&2; die "cmake configure failed"; }
cmake --build "$work/build" --parallel "$(nproc)" >"$work/build.log" 2>&1 ||
  { tail -n 30 "$work/build.log" >&2; die "HiGHS build failed"; }
rm -rf "$PREFIX"
cmake --install "$work/build" >"$work/install.log" 2>&1 ||
  { tail -n 30 "$work/install.log" >&2; die "HiGHS install failed"; }
[ -f "$PREFIX/lib/pkgconfig/highs.pc" ] || die "HiGHS installed without lib/pkgconfig/highs.pc"
# A static libhighs.a needs the C++ runtime, libm and threads after it on the link
# line; HiGHS's highs.pc does not say so (its own TODO), so complete it here.
sed -i 's|^Libs: .*-lhighs.*$|Libs: -L${libdir} -lhighs -lstdc++ -lm -lpthread|' "$PREFIX/lib/pkgconfig/highs.pc"
grep -q -- '-lstdc++' "$PREFIX/lib/pkgconfig/highs.pc" || die "could not complete highs.pc"
touch "$PREFIX/.lamcap-complete"
say "HiGHS $VERSION installed in $PREFIX"
echo "$PREFIX/lib/pkgconfig"
