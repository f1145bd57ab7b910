"""What the Variables list costs: the hook's bookkeeping at every cell's end, and a
sizing when the list is asked for.

One server with this extension, one warm IPython kernel with its hook.

1. Which cell bound each name: the hook compares the namespace's object ids with the
   previous cell's at every ``post_run_cell``. Timed inside the kernel (its
   ``NameBindings.note`` called in a loop, and ``post_run_cell`` with the bookkeeping
   against without it) with 100 and 10,000 globals, beside a whole ``pass`` cell
   timed from a client in the same run: the bookkeeping's share of a cell.
2. A sizing: ``GET .../variables`` on the issue's namespace (NumPy arrays, a view, a
   dict, a list of 10**5 bytes objects, a DataFrame), and on 200,000 and 2,000,000
   small objects in nested lists: the time in the kernel, through the route, and
   whether it finished within the budget (0.2 s by default).
"""

from __future__ import annotations

import argparse
import json
import time

from _common import Server, banner, execute, load, median, table

from jupyterlab_memory_usage.kernel_hook import STATE_ATTR

NOTE_COST = """
import time as _bench_time
_bench_hook = getattr(get_ipython(), {attr!r})
_bench_ns = get_ipython().user_ns
for _bench_i in range({globals}): _bench_ns['bench_global_%d' % _bench_i] = _bench_i
_bench_names = len(_bench_ns)
_bench_n = {n}
_bench_bindings = _bench_hook.bindings
_bench_t0 = _bench_time.perf_counter()
for _ in range(_bench_n): _bench_bindings.note(_bench_ns, 1, 'cell', 'msg')
_bench_t1 = _bench_time.perf_counter()
for _ in range(_bench_n): _bench_hook.pre_run_cell(); _bench_hook.post_run_cell()
_bench_t2 = _bench_time.perf_counter()
_bench_hook.bindings = type('NoBindings', (), {{'note': lambda *args: None}})()
for _ in range(_bench_n): _bench_hook.pre_run_cell(); _bench_hook.post_run_cell()
_bench_t3 = _bench_time.perf_counter()
_bench_hook.bindings = _bench_bindings
for _bench_i in range({globals}): del _bench_ns['bench_global_%d' % _bench_i]
_bench_hook.pre_run_cell()  # so that this cell's own end reports sane figures
print(_bench_names, (_bench_t1 - _bench_t0) / _bench_n * 1e6, (_bench_t2 - _bench_t1) / _bench_n * 1e6,
      (_bench_t3 - _bench_t2) / _bench_n * 1e6)
"""

NAMESPACES = [
    ("the issue's namespace (a, v, d, l, df)",
     "import numpy as np, pandas as pd\na = np.ones(10**8)\nv = a[::2]\nd = {'k': a, 'blob': bytes(10**7)}\n"
     "l = [bytes(1000) for _ in range(10**5)]\ndf = pd.DataFrame({'x': np.ones(10**7), 's': ['abc'] * 10**7})"),
    ("200,000 small objects in nested lists", "nested = [[object() for _ in range(10)] for _ in range(2 * 10**4)]"),
    ("2,000,000 small objects in nested lists", "nested = [[object() for _ in range(10)] for _ in range(2 * 10**5)]"),
]


def pass_cell_ms(client, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        execute(client, "pass")
    return (time.perf_counter() - started) / n * 1e3


def bookkeeping(args, server: Server, kernel_id: str) -> None:
    print(f"\n-- which cell bound each name: the hook's cost per cell ({args.loops} calls x {args.reps} runs) --",
          flush=True)
    client = server.client(kernel_id)
    rows = []
    for n_globals in (100, 10_000):
        runs = []
        for _ in range(args.reps):
            _, _, out = execute(client, NOTE_COST.format(attr=STATE_ATTR, globals=n_globals, n=args.loops))
            runs.append([float(x) for x in out.split()])
            time.sleep(0.2)
        cell_ms = pass_cell_ms(client, 300)
        note = [r[1] for r in runs]
        with_bindings, without = median([r[2] for r in runs]), median([r[3] for r in runs])
        rows.append([f"{int(median([r[0] for r in runs])):,}", f"**{median(note):.1f}** ({min(note):.1f}–{max(note):.1f})",
                     f"{with_bindings:.1f}", f"{without:.1f}", f"{cell_ms:.2f}",
                     f"{median(note) / (cell_ms * 1e3) * 100:.2f}%"])
    client.stop_channels()
    print(table(["names in the namespace", "NameBindings.note (µs)", "hook start+end with it (µs)",
                 "without it (µs)", "a `pass` cell, client to reply (ms)", "its share of the cell"], rows))
    print("median (min–max) over runs; target: <= 50 µs with 100 globals")


def sizing(args, server: Server) -> None:
    print(f"\n-- a sizing through GET .../variables ({args.reps} requests each, a new kernel per namespace) --",
          flush=True)
    rows = []
    for what, code in NAMESPACES:
        kernel_id = server.start_kernel()
        server.wait_hook(kernel_id)
        client = server.client(kernel_id)
        execute(client, code)
        kernel_s, route_s, complete = [], [], set()
        for _ in range(args.reps):
            started = time.perf_counter()
            status, answer = server.request("GET", f"/api/memory-usage/kernels/{kernel_id}/variables")
            route_s.append(time.perf_counter() - started)
            assert status == 200, answer
            kernel_s.append(answer["sized_in_s"])
            complete.add(answer["complete"])
            time.sleep(0.2)
        started = time.perf_counter()
        execute(client, "pass")
        next_cell_ms = (time.perf_counter() - started) * 1e3
        client.stop_channels()
        server.shutdown_kernel(kernel_id)
        rows.append([what, f"{len(answer['variables'])}", f"{median(kernel_s) * 1e3:.1f}", f"{median(route_s) * 1e3:.1f}",
                     "yes" if complete == {True} else "no" if complete == {False} else "sometimes",
                     f"{next_cell_ms:.1f}"])
    print(table(["namespace", "variables", "in the kernel (ms)", "through the route (ms)", "complete",
                 "the next cell after it (ms)"], rows))
    print(f"medians; the budget is {answer['budget_s']} s (MemoryUsage.variables_budget_s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loops", type=int, default=2000, help="calls per timed loop in the kernel")
    parser.add_argument("--reps", type=int, default=5, help="runs of each measurement")
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    args = parser.parse_args()
    if args.quick:
        args.loops, args.reps = 500, 3
    banner("The Variables list's cost")
    with Server(name="variables") as server:
        kernel_id = server.start_kernel()
        server.wait_hook(kernel_id)
        bookkeeping(args, server, kernel_id)
        server.shutdown_kernel(kernel_id)
        sizing(args, server)
    print(f"\nload at the end: {load()}")


if __name__ == "__main__":
    main()
