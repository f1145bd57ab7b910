#!/usr/bin/env bash
# Builds the labextension of an earlier commit (by default the panel before its sections,
# axis modes and cells table) into /tmp/jmu-baseline-panel/labextensions, so that the
# frontend benchmarks can serve it beside the current build and measure both in one run.
#
#   bench/build_baseline_panel.sh [COMMIT]
set -euo pipefail
cd "$(dirname "$0")/.."
commit="${1:-30043d9}"
out=/tmp/jmu-baseline-panel
work="$out/src"
stamp="$out/commit"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(git rev-parse "$commit")" ]; then
  echo "baseline panel of $commit already built in $out"
  exit 0
fi
rm -rf "$out"
mkdir -p "$out/labextensions"
git worktree add --force --detach "$work" "$commit" >/dev/null
trap 'git worktree remove --force "$work" >/dev/null 2>&1 || true' EXIT
# The dependencies of that commit are this tree's (a subset of them): no second install.
ln -s "$PWD/node_modules" "$work/node_modules"
export PATH="$PWD/.venv/bin:$PATH"
(cd "$work" && npx tsc && jupyter-builder build . >/dev/null)
cp -r "$work/jupyterlab_memory_usage/labextension" "$out/labextensions/jupyterlab-memory-usage"
git rev-parse "$commit" > "$stamp"
echo "baseline panel of $commit built in $out"
