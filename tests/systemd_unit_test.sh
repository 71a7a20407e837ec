#!/usr/bin/env bash
# Checks the example systemd units with systemd-analyze verify; skipped without systemd.
set -uo pipefail
command -v systemd-analyze >/dev/null || { echo "no systemd-analyze: skipped"; exit 77; }
status=0
for unit in "$@"; do
  # --man=no: the man pages it names need not be installed on the build machine.
  out=$(systemd-analyze verify --man=no "$unit" 2>&1) || status=1
  [ -z "$out" ] || { echo "systemd-analyze verify $unit:"; echo "$out"; status=1; }
done
exit $status
