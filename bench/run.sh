#!/usr/bin/env bash
# Runs every benchmark and prints its figures.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
(cd ui-tests && npx playwright test -c playwright.bench.config.js 2>&1 | grep -vE '^\[WebServer\]')
