#!/usr/bin/env bash
# Sets up ipcfs (packages, build) and runs every test: unit tests of ipc/ and the parsers, and
# mount tests against real ipcfs mounts. The tests run in a private IPC namespace so that other
# programs' objects cannot disturb them (and theirs are left alone).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cd build
unshare --ipc -- ctest --output-on-failure --timeout 300 "$@"
