#!/usr/bin/env bash
# Lints man pages with groff and mandoc: any message at all is a failure.
set -uo pipefail
for tool in groff mandoc; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed: skipped"; exit 77; }
done
status=0
for page in "$@"; do
  if [ ! -s "$page" ]; then
    echo "$page: empty or missing"
    status=1
    continue
  fi
  out=$(LC_ALL=C.UTF-8 groff -man -ww -z "$page" 2>&1)
  [ -z "$out" ] || { echo "groff -man -ww -z $page:"; echo "$out"; status=1; }
  out=$(mandoc -T lint "$page" 2>&1)
  [ -z "$out" ] || { echo "mandoc -T lint $page:"; echo "$out"; status=1; }
done
exit $status
