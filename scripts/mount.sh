#!/usr/bin/env bash
# Sets up ipcfs (packages, build) and mounts it at ${1:-/mnt/ipc} for every user.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
mnt=${1:-/mnt/ipc}
mkdir -p "$mnt"
if grep -q " $mnt fuse.ipcfs " /proc/mounts; then
  echo "ipcfs is already mounted on $mnt"
  exit 0
fi
./build/fs/ipcfs ipcfs "$mnt" -o allow_other
echo "ipcfs mounted on $mnt (unmount with: umount $mnt)"
