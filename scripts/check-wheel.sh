#!/usr/bin/env bash
# Builds the wheel from the project's own files, the way a release is built, installs it
# into a new virtual environment that has no Node.js, and checks it there as a user would
# meet it: both extensions listed as enabled and OK, JupyterLab starting with them
# (jupyterlab.browser_check), and, in Chromium, a cell measured by the installed wheel.
# Called by scripts/test.sh after setup.sh --with-browser-tests.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf 'check-wheel: %s\n' "$*" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/jlmu-wheel-XXXXXX")
trap 'rm -rf "$work"' EXIT

say "Building the wheel (python -m build --wheel) from the tracked files"
mkdir "$work/src"
# The tracked files as they are in the working tree, mtimes kept, so that the builder
# finds node_modules (linked, not installed again) newer than package.json.
git ls-files -z | xargs -0 cp -p --parents -t "$work/src"
ln -s "$root/node_modules" "$work/src/node_modules"
(cd "$work/src" && "$root/.venv/bin/python" -m build --wheel --outdir "$work/dist" . >"$work/build.log" 2>&1) \
  || { tail -40 "$work/build.log"; fail "the wheel did not build"; }
wheel=$(ls "$work"/dist/jupyterlab_memory_usage-*.whl)
echo "$(basename "$wheel")"

say "Installing it into a new environment without Node.js"
base_python=$("$root/.venv/bin/python" -c 'import sys; print(sys._base_executable)')
"$base_python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --disable-pip-version-check -q "$wheel" jupyterlab ipykernel \
  >"$work/pip.log" 2>&1 || { tail -40 "$work/pip.log"; fail "the wheel did not install"; }
# Only the new environment on PATH: no node, npm or npx, and none of .venv.
user_path="$work/venv/bin"
if PATH="$user_path" command -v node >/dev/null; then fail "node is on the check's PATH"; fi
run() { env -i HOME="$work/home" PATH="$user_path" LANG=C.UTF-8 JUPYTER_RUNTIME_DIR="$work/rt" "$@"; }
mkdir -p "$work/home"

say "jupyter labextension list"
# The listings colour their words even into a pipe: the colours are taken out first.
plain() { sed 's/\x1b\[[0-9;]*m//g'; }
run "$work/venv/bin/jupyter" labextension list 2>&1 | plain | tee "$work/labext.txt"
grep -Eq 'jupyterlab-memory-usage v[0-9.]+ .*enabled.*OK' "$work/labext.txt" \
  || fail "the labextension is not listed as enabled and OK"
grep -q 'jupyterlab-memory-usage .*(python, jupyterlab_memory_usage)' "$work/labext.txt" \
  || fail "the labextension does not come from the wheel"

say "jupyter server extension list"
run "$work/venv/bin/jupyter" server extension list 2>&1 | plain | tee "$work/serverext.txt"
grep -Eq 'jupyterlab_memory_usage +enabled' "$work/serverext.txt" \
  || fail "the server extension is not enabled"
grep -Eq 'jupyterlab_memory_usage [0-9.]+ OK' "$work/serverext.txt" \
  || fail "the server extension does not load"

say "python -m jupyterlab.browser_check --no-browser-test"
# Its own browser step runs npx playwright, which needs Node.js and downloads a browser:
# the server part runs here (a Python error while JupyterLab and our extension load
# fails it), the browser part is the next step, in Debian's Chromium.
as_root=(); [ "$(id -u)" = 0 ] && as_root=(--allow-root)
run "$work/venv/bin/python" -m jupyterlab.browser_check --no-browser-test "${as_root[@]}" >"$work/browser_check.log" 2>&1 \
  || { tail -40 "$work/browser_check.log"; fail "jupyterlab.browser_check failed"; }
grep -q "Exiting normally" "$work/browser_check.log" || { tail -40 "$work/browser_check.log"; fail "browser_check did not end normally"; }
tail -3 "$work/browser_check.log"

say "The installed wheel in Chromium: a cell measured (port 8899)"
(cd ui-tests && MEMORY_USAGE_WHEEL_ENV="$work/venv" MEMORY_USAGE_WHEEL_HOME="$work/home" \
  npx playwright test -c playwright.wheel.config.js)

say "jupyter memory-usage execute (the wheel's console script, a headless run)"
cat > "$work/headless.ipynb" <<'NB'
{"cells": [{"cell_type": "code", "execution_count": null, "id": "c1", "metadata": {}, "outputs": [],
  "source": "x = b'a' * (10 * 2**20)"}],
 "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
 "nbformat": 4, "nbformat_minor": 5}
NB
run "$work/venv/bin/jupyter" memory-usage execute "$work/headless.ipynb" -o "$work/headless.out.ipynb" \
  >"$work/headless.log" 2>&1 || { tail -40 "$work/headless.log"; fail "jupyter memory-usage execute failed"; }
run "$work/venv/bin/python" -c '
import json, sys
figures = json.load(open(sys.argv[1]))["cells"][0]["metadata"]["memory_usage"]
assert figures["status"] == "ok" and figures["delta"] >= 9 * 2**20, figures
print("x = b\"a\" * (10 * 2**20):", round(figures["delta"] / 2**20, 2), "MiB,", figures["method"])
' "$work/headless.out.ipynb" || fail "the headless run wrote no figures"

say "The wheel is OK"
