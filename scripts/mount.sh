#!/usr/bin/env bash
# Sets up ipcfs (packages, build) and mounts it at ${1:-/mnt/ipc} for every user.
set -euo pipefail
mnt=${1:-/mnt/ipc}
# Absolute (relative to where the user stands) and as /proc/mounts spells it; a dead mount
# there (its daemon killed) cannot be stat'ed, so symlinks are resolved only where possible.
mnt=$(realpath -m "$mnt" 2>/dev/null || realpath -ms "$mnt")
findmnt -n --mountpoint "$mnt" >/dev/null || mkdir -p "$mnt"
cd "$(dirname "$0")/.."
./scripts/setup.sh
if findmnt -n --mountpoint "$mnt" -t fuse.ipcfs >/dev/null; then
  if ls "$mnt" >/dev/null 2>&1; then
    echo "ipcfs is already mounted on $mnt"
    exit 0
  fi
  # Its daemon is gone (killed): the mount only answers "Transport endpoint is not connected".
  echo "ipcfs on $mnt has no daemon any more: unmounting it and mounting again"
  umount "$mnt" 2>/dev/null || umount -l "$mnt"
fi
./build/fs/ipcfs ipcfs "$mnt" -o allow_other
echo "ipcfs mounted on $mnt (unmount with: umount $mnt)"
