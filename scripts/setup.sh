#!/usr/bin/env bash
# Sets up everything the project needs on this machine: the Python environment (.venv),
# the Node packages, the built extension, linked into the environment. Idempotent:
# each step runs again only when its inputs changed, so a second run takes seconds.
# Pass --with-browser-tests to also install Debian's Chromium and the UI-test packages.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
stamps=.venv/.stamps
with_browser_tests=0
[ "${1:-}" = "--with-browser-tests" ] && with_browser_tests=1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
digest() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }
# Runs the rest of the line unless the stamp named $1 already holds digest $2.
changed() { [ "$(cat "$stamps/$1" 2>/dev/null)" != "$2" ]; }
stamp() { mkdir -p "$stamps"; echo "$2" > "$stamps/$1"; }

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  say "Creating the Python environment in .venv"
  "$python" -m venv .venv
fi
export PATH="$root/.venv/bin:$PATH"

python_inputs=$(digest pyproject.toml)
if changed python "$python_inputs"; then
  say "Installing the Python package and its dev and test dependencies"
  # The labextension is built below with npm; hatch must not build it a second time.
  HATCH_JUPYTER_BUILDER_SKIP_NPM=1 pip install --disable-pip-version-check -q -e ".[dev,test]"
  stamp python "$python_inputs"
fi

node_inputs=$(digest package.json package-lock.json)
if [ ! -d node_modules ] || changed node "$node_inputs"; then
  say "Installing the Node packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  stamp node "$node_inputs"
fi

build_inputs=$(digest package.json package-lock.json tsconfig.json $(find src style schema -type f | sort))
if [ ! -f jupyterlab_memory_usage/labextension/package.json ] || changed build "$build_inputs"; then
  say "Building the JupyterLab extension"
  npm run --silent build
  stamp build "$build_inputs"
fi

if [ ! -L .venv/share/jupyter/labextensions/jupyterlab-memory-usage ]; then
  say "Linking the extension into the environment"
  jupyter labextension develop --overwrite . >/dev/null 2>&1
fi
jupyter server extension enable --sys-prefix jupyterlab_memory_usage >/dev/null 2>&1

if [ "$with_browser_tests" = 1 ]; then
  if [ ! -x /usr/bin/chromium ]; then
    say "Installing Debian's Chromium for the browser tests"
    sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo
    $sudo_cmd apt-get install -y -q chromium >/dev/null 2>&1 \
      || { $sudo_cmd apt-get update -q >/dev/null && $sudo_cmd apt-get install -y -q chromium >/dev/null; }
  fi
  ui_inputs=$(digest ui-tests/package.json ui-tests/package-lock.json)
  if [ ! -d ui-tests/node_modules ] || changed ui-tests "$ui_inputs"; then
    say "Installing the UI-test packages"
    (cd ui-tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    stamp ui-tests "$ui_inputs"
  fi
fi
if [ "$with_browser_tests" = 1 ]; then
  # The line profiler uses sys.monitoring on Python 3.12 and later, sys.settrace before:
  # the tests run a kernel of each where the machine has a Python 3.12 (pyenv's, say).
  py312=""
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12 /usr/bin/python3.12; do
    if [ -x "$candidate" ] && "$candidate" -c 'import sys' 2>/dev/null; then py312=$candidate; fi
  done
  if [ -n "$py312" ] && { [ ! -x .venv-py312/bin/python ] || changed py312 "$py312"; }; then
    say "A Python 3.12 kernel for the tests (.venv-py312, from $py312)"
    "$py312" -m venv --clear .venv-py312
    .venv-py312/bin/pip install --disable-pip-version-check -q ipykernel numpy 2>&1 | { grep -v "is ignored: it is neither" || true; }
    stamp py312 "$py312"
  fi
fi
say "Set up"
