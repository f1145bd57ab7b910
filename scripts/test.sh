#!/usr/bin/env bash
# Runs every test: Jest (frontend units), pytest (server extension against real kernels),
# Galata (JupyterLab in Debian's Chromium), and the wheel built, installed into a new
# environment without Node.js and checked there. Sets up whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --with-browser-tests
export PATH="$PWD/.venv/bin:$PATH"

printf '\033[1m==> %s\033[0m\n' "Jest"
npm test --silent

printf '\033[1m==> %s\033[0m\n' "pytest"
pytest -q -p no:cacheprovider

printf '\033[1m==> %s\033[0m\n' "Galata (UI tests)"
(cd ui-tests && npx playwright test)

printf '\033[1m==> %s\033[0m\n' "Galata against a kernel gateway (ports 8897, 8898)"
(cd ui-tests && npx playwright test -c playwright.gateway.config.js)

printf '\033[1m==> %s\033[0m\n' "The wheel, installed as a user installs it (port 8899)"
./scripts/check-wheel.sh
