#!/usr/bin/env bash
# Sets everything up (see setup.sh), then opens JupyterLab on the demo notebook.
# Extra arguments go to `jupyter lab` (for example --no-browser or --port=9999).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
exec jupyter lab "${extra[@]}" "$@" demo/memory-demo.ipynb
