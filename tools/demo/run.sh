#!/usr/bin/env bash
# npm run demo: installs what is missing on a fresh machine, builds, runs the demo.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
bash .ci/install-deps.sh
[ -d node_modules/.bin ] || npm ci --no-audit --no-fund
node_modules/.bin/nx run-many -t build --outputStyle=static >/dev/null
node e2e/dist/demo.js
