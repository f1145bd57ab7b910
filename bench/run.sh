#!/usr/bin/env bash
# Runs every benchmark and prints its figures. Benchmarks report; they never fail on a slow
# machine (a benchmark that cannot run at all, e.g. a server that does not start, exits non-zero).
#
#   bench/run.sh                    # everything: the Python benchmarks, then the Galata ones
#   bench/run.sh python [--quick]   # peak_capture, execution_cost, server_cost, heap_mode_cost, line_profile_cost, variables_cost (~20 min; --quick ~7 min)
#   bench/run.sh frontend           # the Galata benchmarks (ui-tests/bench/*.bench.ts)
#   bench/run.sh peak_capture|execution_cost|server_cost|heap_mode_cost|line_profile_cost|variables_cost [flags]   # one of them, with its own flags
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

python_bench() {
  local flags=("$@")
  for name in peak_capture execution_cost server_cost heap_mode_cost line_profile_cost variables_cost; do
    python bench/$name.py "${flags[@]}"
  done
}

frontend_bench() {
  # The earlier panel, served beside this build by timeline.bench.ts (skipped if it cannot build).
  bench/build_baseline_panel.sh || echo "no baseline panel: timeline.bench.ts measures this build alone" >&2
  (cd ui-tests && npx playwright test -c playwright.bench.config.js 2>&1 | grep -vE '^\[WebServer\]')
}

what="${1:-all}"
[ $# -gt 0 ] && shift
case "$what" in
  all) python_bench "$@"; frontend_bench ;;
  python) python_bench "$@" ;;
  frontend) frontend_bench ;;
  peak_capture|execution_cost|server_cost|heap_mode_cost|line_profile_cost|variables_cost) python "bench/$what.py" "$@" ;;
  *) echo "usage: bench/run.sh [all|python|frontend|peak_capture|execution_cost|server_cost|heap_mode_cost|line_profile_cost|variables_cost] [flags]" >&2; exit 2 ;;
esac
