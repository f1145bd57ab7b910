"""What profiling a cell line by line costs it (the command *Profile Memory by Line*).

One server with this extension, one warm IPython kernel with its hook. Each workload cell
is timed inside the kernel (`time.perf_counter` around the work) plain and profiled (the
profile armed through the extension's own route, `POST .../line-profile`, for the next
cell), alternating the order every repetition: the ratio profiled/plain of the medians,
and the line events and the profiler's own estimate of its time, from the record.

Workloads: the seed tool's examples (a few lines of large NumPy work), a function defined in
a cell and called from another, and a loop of small operations (a line event every few
hundred nanoseconds of work: the worst case). `--python` runs the kernel on another
interpreter (for example .venv-py312/bin/python for sys.monitoring).

Run: .venv/bin/python bench/line_profile_cost.py [--reps N] [--python PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

from _common import Server, banner, execute, load, median, table

SETUP = "import numpy as np\ndef build(n):\n    a = np.ones(n)\n    b = a * 2\n    del a\n    return b\n"
WORKLOADS: list[tuple[str, str]] = [
    ("seed: a = np.ones(10**7)", "a = np.ones(10**7)"),
    ("seed: b = a*2 + a*3", "a = np.ones(10**7)\nb = a*2 + a*3"),
    ("seed: np.ones(10**8).sum()", "np.ones(10**8).sum()"),
    ("a notebook function, 10 calls", "for _ in range(10):\n    r = build(10**6)"),
    ("a loop of small operations (10**5)", "x = 0\nfor i in range(10**5):\n    x += i * 2"),
]
TIMED = """
import time as _bench_time
_bench_t0 = _bench_time.perf_counter()
{work}
print(_bench_time.perf_counter() - _bench_t0)
"""


def run(server: Server, client, kernel_id: str, work: str, profiled: bool) -> tuple[float, dict | None]:
    if profiled:
        status, body = server.request("POST", f"/api/memory-usage/kernels/{kernel_id}/line-profile", {"cell_id": None})
        if status != 200:
            raise RuntimeError(f"line-profile: {status} {body}")
    msg_id, _, out = execute(client, TIMED.format(work=work))
    seconds = float(out.split()[-1])
    (record,) = server.wait_records(kernel_id, [msg_id])
    if profiled and not record.get("line_profile"):
        raise RuntimeError(f"no profile in {record}")
    return seconds, record.get("line_profile")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=5, help="repetitions per workload and mode (5)")
    parser.add_argument("--quick", action="store_true", help="2 repetitions")
    parser.add_argument("--python", default=None, help="the kernel's interpreter (default: this one)")
    args = parser.parse_args()
    reps = 2 if args.quick else args.reps

    banner("line by line: what profiling costs a cell")
    if args.python:
        # The server's python3 kernel on that interpreter: JUPYTER_PATH comes before the
        # environment's own kernelspec.
        path = tempfile.mkdtemp(prefix="bench-kernels-")
        os.makedirs(os.path.join(path, "kernels", "python3"))
        with open(os.path.join(path, "kernels", "python3", "kernel.json"), "w") as f:
            json.dump({"argv": [args.python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                       "display_name": "Python", "language": "python", "env": {"PYTHONPATH": ""}}, f)
        os.environ["JUPYTER_PATH"] = path
    with Server(name="lines") as server:
        kernel_id = server.start_kernel()
        state = server.wait_hook(kernel_id)
        if state["hook"] != "active":
            sys.exit(f"the hook is not active: {state}")
        client = server.client(kernel_id)
        execute(client, SETUP)
        rows = []
        backend = None
        for name, work in WORKLOADS:
            seconds: dict[bool, list[float]] = {False: [], True: []}
            profile = None
            for rep in range(reps):
                for profiled in ((False, True) if rep % 2 == 0 else (True, False)):
                    run(server, client, kernel_id, work, False)  # warm: the allocator, the VM's pages
                    spent, got = run(server, client, kernel_id, work, profiled)
                    seconds[profiled].append(spent)
                    profile = got or profile
            backend = profile["backend"]
            plain, profiled = median(seconds[False]), median(seconds[True])
            rows.append([name, f"{plain * 1e3:.1f}", f"{profiled * 1e3:.1f}", f"**{profiled / plain:.1f}**",
                         f"{profile['events']:,}", f"{(profile['overhead'] or 0) * 1e3:.1f}"])
            print(f"  {name}: plain {[round(s * 1e3, 1) for s in seconds[False]]} ms, "
                  f"profiled {[round(s * 1e3, 1) for s in seconds[True]]} ms", flush=True)
        client.stop_channels()

    print(f"\n-- each workload timed in the kernel, {reps} repetitions per mode, alternating; backend {backend} --")
    print(table(["workload", "plain, median ms", "profiled, median ms", "slowdown", "line events",
                 "profiler's own estimate, ms"], rows))
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
