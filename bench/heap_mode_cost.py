"""What heap mode (tracemalloc in the kernel) costs a cell.

One server with this extension, one warm IPython kernel with its hook. Each workload cell
is timed inside the kernel (`time.perf_counter` around the work, so neither the server nor
the client is in the figure) with heap mode off and on, the mode switched through the
extension's own route (`POST .../heap-mode`), alternating the order every repetition on the
same kernel: the ratio on/off of the medians, and of the minimums.

Workloads: the seed tool's examples (large NumPy arrays and a temporary: few, large
allocations, which tracing hardly touches) and allocation-heavy Python (many small objects:
each one goes through tracemalloc's bookkeeping). Also the hook's end-of-cell cost with
heap mode on and off (with 10**6 small objects alive too: heap_top reads the traces), and the resident memory tracing itself adds for a list of 10**6
small objects.
"""

from __future__ import annotations

import argparse
import json
import sys

from _common import MIB, Server, banner, execute, load, median, table

from jupyterlab_memory_usage.kernel_hook import STATE_ATTR

# name, setup (untimed, run before every timed cell), the timed work. Each runs in the
# kernel's namespace; the setup frees what the previous repetition left.
WORKLOADS: list[tuple[str, str, str]] = [
    ("seed: a = np.ones(10**7)", "a = None", "a = np.ones(10**7)"),
    ("seed: b = a*2 + a*3 (2 temporaries)", "a = np.ones(10**7); b = None", "b = a*2 + a*3"),
    ("seed: x = np.ones(10**8); del x", "", "x = np.ones(10**8); del x"),
    ("seed: np.ones(10**8).sum()", "", "np.ones(10**8).sum()"),
    ("10**6 small strings in a list", "s = None", "s = [str(i) for i in range(10**6)]"),
    ("5*10**6 small tuples, freed as made", "", "for i in range(5 * 10**6): t = (i, i)"),
    ("dict of 3*10**5 entries", "d = None", "d = {i: (i, str(i)) for i in range(3 * 10**5)}"),
]

TIMED = """
import time as _bench_time
_bench_t0 = _bench_time.perf_counter()
{work}
print(_bench_time.perf_counter() - _bench_t0)
"""

HOOK_COST = """
import time as _bench_time
_bench_hook = getattr(get_ipython(), {attr!r})
_bench_n = {n}
_bench_t0 = _bench_time.perf_counter()
for _ in range(_bench_n): _bench_hook.pre_run_cell()
_bench_t1 = _bench_time.perf_counter()
for _ in range(_bench_n): _bench_hook.pre_run_cell(); _bench_hook.post_run_cell()
_bench_t2 = _bench_time.perf_counter()
_bench_hook.pre_run_cell()  # so that this cell's own end reports sane figures
print((_bench_t1 - _bench_t0) / _bench_n * 1e6, ((_bench_t2 - _bench_t1) - (_bench_t1 - _bench_t0)) / _bench_n * 1e6)
"""

TRACING_RSS = """
import gc as _bench_gc, os as _bench_os
def _bench_rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _bench_os.sysconf("SC_PAGE_SIZE")
_bench_gc.collect()
_bench_r0 = _bench_rss()
_bench_objs = [(i, i) for i in range(10**6)]
print(_bench_rss() - _bench_r0)
del _bench_objs
"""


def set_heap_mode(server: Server, kernel_id: str, enabled: bool) -> None:
    status, body = server.request("POST", f"/api/memory-usage/kernels/{kernel_id}/heap-mode",
                                  {"enabled": enabled})
    if status != 200 or body["heap_mode"] is not enabled:
        raise RuntimeError(f"heap mode {enabled}: {status} {body}")


def timed(client, code: str) -> float:
    return float(execute(client, TIMED.format(work=code))[2].split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=7, help="repetitions per workload and mode (7)")
    parser.add_argument("--quick", action="store_true", help="3 repetitions")
    args = parser.parse_args()
    reps = 3 if args.quick else args.reps

    banner("heap mode: what tracemalloc costs a cell")
    with Server(name="heap") as server:
        kernel_id = server.start_kernel()
        state = server.wait_hook(kernel_id)
        if state["hook"] != "active":
            sys.exit(f"the hook is not active: {state}")
        client = server.client(kernel_id)
        execute(client, "import numpy as np")

        rows = []
        for name, setup, work in WORKLOADS:
            seconds: dict[bool, list[float]] = {False: [], True: []}
            for rep in range(reps):
                for enabled in ((False, True) if rep % 2 == 0 else (True, False)):
                    set_heap_mode(server, kernel_id, enabled)
                    if setup:
                        execute(client, setup)
                    timed(client, work)  # warm: the allocator's arenas, the VM's pages
                    if setup:
                        execute(client, setup)
                    seconds[enabled].append(timed(client, work))
            set_heap_mode(server, kernel_id, False)
            off, on = seconds[False], seconds[True]
            rows.append([name, f"{median(off) * 1e3:.1f}", f"{median(on) * 1e3:.1f}",
                         f"{median(on) / median(off):.2f}", f"{min(on) / min(off):.2f}"])
            print(f"  {name}: off {json.dumps([round(s * 1e3, 1) for s in off])} ms, "
                  f"on {json.dumps([round(s * 1e3, 1) for s in on])} ms", flush=True)

        hook_rows = []
        for enabled in (False, True):
            set_heap_mode(server, kernel_id, enabled)
            start_us, end_us = map(float, execute(client, HOOK_COST.format(attr=STATE_ATTR, n=20000))[2].split())
            hook_rows.append([f"heap mode {'on' if enabled else 'off'}", f"{start_us:.1f}", f"{end_us:.1f}"])
        # The end of a cell in heap mode reads the traced blocks for heap_top: with many alive.
        set_heap_mode(server, kernel_id, True)
        execute(client, "_bench_alive = [str(i) * 3 for i in range(10**6)]")
        start_us, end_us = map(float, execute(client, HOOK_COST.format(attr=STATE_ATTR, n=5))[2].split())
        hook_rows.append(["heap mode on, 10**6 small strings alive", f"{start_us:.1f}", f"{end_us:.1f}"])
        execute(client, "del _bench_alive")
        rss = {}
        for enabled in (False, True):
            set_heap_mode(server, kernel_id, enabled)
            execute(client, TRACING_RSS)  # warm
            rss[enabled] = int(execute(client, TRACING_RSS)[2].split()[-1])
        set_heap_mode(server, kernel_id, False)
        client.stop_channels()

    print(f"\n-- each workload timed in the kernel, {reps} repetitions per mode, alternating --")
    print(table(["workload", "off, median ms", "on, median ms", "ratio of medians", "ratio of minimums"], rows))
    print("\n-- the hook's own cost per cell (20,000 calls in the kernel) --")
    print(table(["", "start µs", "end µs"], hook_rows))
    print(f"\nresident growth of a list of 10**6 small tuples: {rss[False] / MIB:.1f} MiB off, "
          f"{rss[True] / MIB:.1f} MiB on (tracemalloc's bookkeeping: {rss[True] / max(1, rss[False]):.2f}x)")
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
