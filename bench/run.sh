#!/usr/bin/env bash
# npm run bench: builds, then runs every benchmark in bench/ and prints its numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
node_modules/.bin/nx run-many -t build --outputStyle=static >/dev/null
for bench in bench/*.mjs; do
  case "$bench" in bench/percentiles.mjs | bench/bpf-overhead.mjs) continue ;; esac
  echo "== $bench"
  node "$bench"
done
