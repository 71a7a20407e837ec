#!/usr/bin/env bash
# Builds the Debian package (cpack -G DEB) in a /usr-prefixed build tree and checks what it
# holds (dpkg-deb -c) and what it depends on (dpkg-deb -I), then runs the packaged programs.
# Usage: package_test.sh SOURCE_DIR BUILD_DIR. The build tree is kept, so reruns are quick.
set -euo pipefail
src=$1
build=$2
for tool in cpack dpkg-deb dpkg-shlibdeps file; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed: skipped"; exit 77; }
done
fail() { echo "FAIL: $*"; exit 1; }

cmake -S "$src" -B "$build" -DCMAKE_INSTALL_PREFIX=/usr -DIPCFS_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 >/dev/null
rm -f "$build"/ipcfs_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
debs=("$build"/ipcfs_*_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one ipcfs_*.deb, got: ${debs[*]}"
deb=${debs[0]}
echo "package: $deb"

contents=$(dpkg-deb -c "$deb")
has() { grep -Eq "$1" <<<"$contents" || fail "package lacks $1"; }
has '^-rwxr-xr-x .* \./usr/bin/ipcfs$'
has '^-rwxr-xr-x .* \./sbin/mount\.ipcfs$'
has '^lrwxrwxrwx .* \./sbin/mount\.fuse\.ipcfs -> mount\.ipcfs$'
has '^-rw-r--r-- .* \./usr/share/man/man8/ipcfs\.8$'
has '^-rw-r--r-- .* \./usr/share/man/man8/mount\.ipcfs\.8$'
has '^-rw-r--r-- .* \./usr/share/doc/ipcfs/examples/mnt-ipc\.mount$'
# Nothing of the build machine or of the tests leaks in.
if grep -Eq 'usr/local|unit_tests|mount_tests|/include/|\.a$' <<<"$contents"; then
  fail "unexpected files: $(grep -E 'usr/local|unit_tests|mount_tests|/include/|\.a$' <<<"$contents")"
fi

info=$(dpkg-deb -I "$deb")
grep -q '^ Package: ipcfs$' <<<"$info" || fail "no Package: ipcfs"
grep -q "^ Architecture: $(dpkg --print-architecture)$" <<<"$info" || fail "wrong Architecture"
depends=$(sed -n 's/^ Depends: //p' <<<"$info")
echo "Depends: $depends"
# spdlog's shlibs name libspdlog1.10-fmt9, a virtual package of libspdlog1.10 (it pins fmt's ABI).
for dep in fuse3 libfuse3-3 'libspdlog1[.0-9]*(-fmt[0-9]+)?' 'libfmt[0-9]+' libc6 'libstdc\+\+6'; do
  grep -Eq "(^|, )$dep( \(|,|$)" <<<"$depends" || fail "Depends lacks $dep"
done

# The packaged programs run, and the helper looks for the daemon in /usr/bin.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
"$root/usr/bin/ipcfs" --version | grep -q '^ipcfs ' || fail "ipcfs --version"
grep -q /usr/bin "$root/sbin/mount.ipcfs" || fail "mount.ipcfs does not know /usr/bin"
[ "$(readlink "$root/sbin/mount.fuse.ipcfs")" = mount.ipcfs ] || fail "mount.fuse.ipcfs link"
echo "ok"
