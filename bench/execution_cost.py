"""What monitoring costs an execution.

1. 1,000 trivial executions (`pass`) through a server with the extension enabled and through
   one with `--MemoryUsage.enabled=False`, 6 rounds, each on a new pair of warm kernels, the two alternating
   every 100 executions (the load of a shared machine drifts within seconds), both through the
   server's websocket (as JupyterLab runs cells) and straight to the kernel over ZMQ: the ratio
   of total times (target <= 1.03). `--control` runs the same with the extension disabled on
   both servers: what two servers and kernels differ by when nothing of ours runs.
   `--statements 1,10,100` runs it for cells of that many `pass` statements each.
2. The in-kernel hook's own cost per cell, start and end apart: its `pre_run_cell` and
   `post_run_cell` called in a loop inside the kernel (target <= 50 us in all); and its cost
   per top-level statement: its `run_code` wrapper against IPython's own, on a `pass`
   statement, inside a cell (target <= 25 us).
3. The latency from the kernel going idle (the `status: idle` message's header date) to the
   record being final in the API, polling the API back to back (target < 20 ms median).

Run: .venv/bin/python bench/execution_cost.py [--quick] [--cells N] [--rounds N] ...
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

from _common import (Server, WebsocketClient, as_timestamp, banner, execute, load, median,
                     percentile, table)


def run_cells(driver, n: int, code: str = "pass") -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        driver(code)
    return time.perf_counter() - t0


def zmq_driver(client):
    return lambda code: execute(client, code)


def fresh_kernels(on: Server, off: Server, control: bool = False) -> tuple[str, str]:
    """A new kernel on each server, the enabled one's hook settled, both answering."""
    k_on, k_off = on.start_kernel(), off.start_kernel()
    if not control:
        on.wait_hook(k_on)
    for server, kernel_id in ((on, k_on), (off, k_off)):
        client = server.client(kernel_id)
        execute(client, "pass")
        client.stop_channels()
    return k_on, k_off


def cost_ratio(args, on: Server, off: Server, statements: int = 1) -> None:
    code = "\n".join(["pass"] * statements)
    what = "`pass`" if statements == 1 else f"cells of {statements} `pass` statements"
    print(f"\n-- {args.cells} executions of {what} per round, path and mode, {args.rounds} rounds, each on "
          f"a new pair of kernels, the modes alternating every {args.chunk} executions --", flush=True)
    times = {path: {"enabled": [], "disabled": []} for path in args.paths}
    server_cpu = {"enabled": 0.0, "disabled": 0.0}
    for r in range(args.rounds):
        # Two kernel processes differ by a few percent however they are started (the A/A
        # run, --control, shows it): a new pair each round averages that out.
        k_on, k_off = fresh_kernels(on, off, args.control)
        for path in args.paths:
            # Clients per path, opened just before: a ZMQ client left open during the websocket
            # runs would fill its iopub queue (its high-water mark drops what comes next).
            drivers: dict[str, object] = {}
            clients = []
            for name, server, kernel_id in (("enabled", on, k_on), ("disabled", off, k_off)):
                if path.startswith("websocket"):
                    ws = WebsocketClient(server, kernel_id, quickack=path == "websocket")
                    clients.append(ws)
                    drivers[name] = ws.execute
                else:
                    client = server.client(kernel_id)
                    clients.append(client)
                    drivers[name] = zmq_driver(client)
                run_cells(drivers[name], max(50, args.cells // 5), code)  # warm
            # Interleaved in chunks, the order flipping every chunk: the machine's load
            # drifts on a scale of seconds.
            spent = {"enabled": 0.0, "disabled": 0.0}
            cpu_before = {"enabled": cpu_s(on), "disabled": cpu_s(off)}
            chunks = max(1, args.cells // args.chunk)
            for j in range(chunks):
                n = args.cells // chunks + (1 if j < args.cells % chunks else 0)
                order = ("enabled", "disabled") if (r + j) % 2 == 0 else ("disabled", "enabled")
                for name in order:
                    spent[name] += run_cells(drivers[name], n, code)
            for name in spent:
                times[path][name].append(spent[name])
            server_cpu["enabled"] += cpu_s(on) - cpu_before["enabled"]
            server_cpu["disabled"] += cpu_s(off) - cpu_before["disabled"]
            for c in clients:
                if isinstance(c, WebsocketClient):
                    c.close()
                else:
                    c.stop_channels()
        on.shutdown_kernel(k_on)
        off.shutdown_kernel(k_off)
        print(f"   round {r + 1}: " + ", ".join(f"{path} {t['enabled'][-1] / t['disabled'][-1]:.3f}"
                                             for path, t in times.items()) + f" (load {load()})", flush=True)
    rows = []
    for path in args.paths:
        t = times[path]
        pair_ratios = [a / b for a, b in zip(t["enabled"], t["disabled"])]
        total_on, total_off = sum(t["enabled"]), sum(t["disabled"])
        per_on = total_on / (args.rounds * args.cells)
        per_off = total_off / (args.rounds * args.cells)
        rows.append([
            path,
            " ".join(f"{x:.2f}" for x in t["enabled"]),
            " ".join(f"{x:.2f}" for x in t["disabled"]),
            f"{per_on * 1e3:.2f} / {per_off * 1e3:.2f}",
            f"{(per_on - per_off) * 1e6:+.0f}",
            f"**{total_on / total_off:.3f}**",
            f"{min(pair_ratios):.3f}–{max(pair_ratios):.3f}",
        ])
    print(table(["path", "enabled: s per round", "disabled: s per round", "ms per cell on / off",
                 "µs per cell", "ratio of totals", "ratio per round (kernel pair)"], rows))
    cells = args.rounds * args.cells * len(args.paths)
    print(f"server CPU per execution (user + system, all threads, while the modes alternated): enabled "
          f"{server_cpu['enabled'] / cells * 1e6:.0f} µs, disabled {server_cpu['disabled'] / cells * 1e6:.0f} µs")
    print("target: ratio of totals <= 1.03")


def cpu_s(server: Server) -> float:
    t = server.process.cpu_times()
    return t.user + t.system


HOOK_CODE = r"""
import time as _t, json as _j
def _jmu_bench(_n, _attr):
    _h = getattr(get_ipython(), _attr)
    _r = {}
    _t0 = _t.perf_counter()
    for _ in range(_n): _h.pre_run_cell()
    _t1 = _t.perf_counter()
    for _ in range(_n): _h.pre_run_cell(); _h.post_run_cell()
    _t2 = _t.perf_counter()
    _r['start'] = (_t1 - _t0) / _n * 1e6
    _r['end'] = ((_t2 - _t1) - (_t1 - _t0)) / _n * 1e6
    # Where the end's time goes (private names: skipped if the hook changed).
    try:
        _t3 = _t.perf_counter()
        for _ in range(_n): _h.proc.rss_and_hwm_bytes()
        _r['end_read'] = (_t.perf_counter() - _t3) / _n * 1e6
    except Exception:
        pass
    try:
        _ring = getattr(_h, 'ring', None)
        _t3 = _t.perf_counter()
        if _ring is not None:  # the figures go by a shared-memory ring the server reads
            _r['handover'] = 'ring'
            for _ in range(_n): _ring.write(b'jmu-bench', 0.0, 0.0, 1, 1, 1, True)
        else:  # the figures go by one iopub message
            _r['handover'] = 'iopub'
            _d = {'event': 'bench', 'started': 0.0, 'ended': 0.0, 'rss_start': 1, 'rss_end': 1,
                  'rss_hwm': 1, 'success': True}
            for _ in range(_n): _h._publish(_d)
        _r['end_handover'] = (_t.perf_counter() - _t3) / _n * 1e6
    except Exception as _e:
        _r['handover'] = repr(_e)
    _h.pre_run_cell()  # so that this cell's own post_run_cell reports sane figures
    return _r
"""


STATEMENT_CODE = r"""
import time as _t
def _jmu_statement_bench(_n, _attr):
    _h = getattr(get_ipython(), _attr)
    _code = compile('pass', '<bench>', 'exec')
    def _drive(_c):  # IPython's run_code on a statement that does not await: done in one step
        try:
            _c.send(None)
        except StopIteration as _e:
            return _e.value
        raise RuntimeError('run_code suspended')
    # This cell is itself a statement being measured: for the loop, the hook is as at a
    # cell's top level, with a new log every 100 statements (a cell's entries).
    _saved = _h._statements, _h._depth
    _log = type(_saved[0])
    _h._depth = 0
    try:
        _t0 = _t.perf_counter()
        for _ in range(_n // 100):
            for _ in range(100): _drive(_h._inner_run_code(_code, None))
        _t1 = _t.perf_counter()
        for _ in range(_n // 100):
            _h._statements = _log(100)
            for _ in range(100): _drive(_h.run_code(_code, None))
        _t2 = _t.perf_counter()
    finally:
        _h._statements, _h._depth = _saved
    _m = _n // 100 * 100
    return {'bare': (_t1 - _t0) / _m * 1e6, 'wrapped': (_t2 - _t1) / _m * 1e6}
"""


def statement_cost(args, on: Server, k_on: str) -> None:
    from jupyterlab_memory_usage.kernel_hook import STATE_ATTR

    print(f"\n-- the hook's cost per top-level statement, in the kernel ({args.hook_loops} statements x "
          f"{args.hook_reps} runs) --", flush=True)
    client = on.client(k_on)
    execute(client, STATEMENT_CODE)
    runs = []
    for _ in range(args.hook_reps):
        _, _, out = execute(client, f"print(__import__('json').dumps(_jmu_statement_bench({args.hook_loops}, "
                                    f"{STATE_ATTR!r})))")
        runs.append(json.loads(out))
        time.sleep(0.2)
    client.stop_channels()
    cost = [r["wrapped"] - r["bare"] for r in runs]
    bare = [r["bare"] for r in runs]
    print(table(["IPython's run_code on `pass`", "the hook's wrapper around it", "the hook's cost per statement"],
                [[f"{median(bare):.1f} ({min(bare):.1f}–{max(bare):.1f})",
                  f"{median([r['wrapped'] for r in runs]):.1f}",
                  f"**{median(cost):.1f}** ({min(cost):.1f}–{max(cost):.1f})"]]))
    print("µs per statement, median (min–max) over runs; target: the hook's cost <= 25 µs")


def hook_cost(args, on: Server, k_on: str) -> None:
    from jupyterlab_memory_usage.kernel_hook import STATE_ATTR

    print(f"\n-- the hook's cost per cell, in the kernel ({args.hook_loops} calls x {args.hook_reps} runs) --",
          flush=True)
    client = on.client(k_on)
    execute(client, HOOK_CODE)
    runs = []
    for _ in range(args.hook_reps):
        _, _, out = execute(client, f"print(__import__('json').dumps(_jmu_bench({args.hook_loops}, {STATE_ATTR!r})))")
        runs.append(json.loads(out))
        time.sleep(0.2)
    client.stop_channels()

    def col(key: str) -> str:
        values = [r[key] for r in runs if key in r]
        return f"{median(values):.1f} ({min(values):.1f}–{max(values):.1f})" if values else "n/a"

    total = [r["start"] + r["end"] for r in runs]
    handover = ", ".join(sorted({str(r.get("handover")) for r in runs}))
    print(table(["start (pre_run_cell)", "end (post_run_cell)", "start + end",
                 "end: reading /proc", f"end: handing over ({handover})"],
                [[col("start"), col("end"), f"**{median(total):.1f}** ({min(total):.1f}–{max(total):.1f})",
                  col("end_read"), col("end_handover")]]))
    print("µs per cell, median (min–max) over runs; target: start + end <= 50 µs")


def latency(args, on: Server, k_on: str) -> None:
    print(f"\n-- idle -> record final in the API ({args.latency_n} executions of `pass`, "
          f"API polled back to back) --", flush=True)
    client = on.client(k_on)
    seq = on.memory_state(k_on, 0)["seq"]
    latencies, rtts, polls = [], [], []
    for _ in range(args.latency_n):
        time.sleep(random.uniform(0.02, 0.08))
        msg_id = client.execute("pass")
        final_at, n = None, 0
        deadline = time.monotonic() + 30
        while final_at is None:
            sent = time.time()
            state = on.memory_state(k_on, seq)
            received = time.time()
            rtts.append(received - sent)
            n += 1
            seq = state["seq"]
            for record in state["executions"]:
                if record["msg_id"] == msg_id and record["status"] != "running":
                    final_at = received
            if time.monotonic() > deadline:
                raise TimeoutError(f"record of {msg_id} never final")
        idle_at = None
        while idle_at is None:
            msg = client.get_iopub_msg(timeout=30)
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"]["execution_state"] == "idle"):
                idle_at = as_timestamp(msg["header"]["date"])
        latencies.append(final_at - idle_at)
        polls.append(n)
    client.stop_channels()
    ms = [x * 1e3 for x in latencies]
    print(table(["median", "p95", "min", "max", "poll round trip (median)", "polls per execution (median)"],
                [[f"**{median(ms):.1f} ms**", f"{percentile(ms, 95):.1f} ms", f"{min(ms):.1f} ms",
                  f"{max(ms):.1f} ms", f"{median(rtts) * 1e3:.2f} ms", f"{median(polls):.0f}"]]))
    print("latency = arrival of the first API reply showing the record final - the idle's header date "
          "(an upper bound, within one poll round trip); target < 20 ms median")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run of a minute")
    parser.add_argument("--cells", type=int, default=1000, help="executions per run (1000)")
    parser.add_argument("--rounds", type=int, default=6, help="rounds, each on a new pair of kernels (6)")
    parser.add_argument("--chunk", type=int, default=100,
                        help="executions in a row before switching modes (100; --chunk 1000: whole runs)")
    parser.add_argument("--paths", default="websocket,zmq",
                        help="websocket (through the server; the client ACKs at once), websocket-plain "
                             "(the same with Linux's delayed ACKs: jupyter_server leaves Nagle on, so "
                             "about 40 ms per cell), zmq (straight to the kernel)")
    parser.add_argument("--hook-loops", type=int, default=500,
                        help="calls per run (each end publishes a message: keep iopub queues under their 1000 high-water mark)")
    parser.add_argument("--hook-reps", type=int, default=10)
    parser.add_argument("--latency-n", type=int, default=200)
    parser.add_argument("--statements", default="1",
                        help="top-level statements per cell in the cost run, a list (1; e.g. 1,10,100)")
    parser.add_argument("--only", default="cost,hook,statement,latency", help="cost,hook,statement,latency")
    parser.add_argument("--control", action="store_true",
                        help="an A/A run: the 'enabled' server has the extension disabled too, so the "
                             "ratio shows what two servers and kernels differ by with nothing of ours "
                             "(cost only)")
    parser.add_argument("--enabled-args", default="",
                        help="more options of the enabled server, e.g. '--MemoryUsage.load_kernel_hook=False' "
                             "to tell the hook's share from the server's")
    args = parser.parse_args()
    if args.quick:
        args.cells, args.rounds, args.hook_loops, args.hook_reps, args.latency_n = 200, 2, 300, 3, 40
    args.paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    only = set(args.only.split(","))
    banner("execution cost")
    t0 = time.time()
    if args.control:
        only = {"cost"}
        print("CONTROL RUN: both servers have the extension disabled ('enabled' is a second disabled one)")
    first = ("--MemoryUsage.enabled=False",) if args.control else tuple(args.enabled_args.split())
    with Server(*first, name="enabled") as on, Server("--MemoryUsage.enabled=False", name="disabled") as off:
        if "cost" in only:
            for statements in (int(n) for n in args.statements.split(",")):
                cost_ratio(args, on, off, statements)
        if not args.control:
            k_on, k_off = fresh_kernels(on, off)
            state = on.memory_state(k_on, since=10**12)
            print(f"\nenabled server: hook {state['hook']}, method {state['method']}; disabled server: "
                  f"{off.get('/api/memory-usage/kernels')['kernels'] or 'no kernel watched'}", flush=True)
        if "hook" in only:
            hook_cost(args, on, k_on)
        if "statement" in only:
            statement_cost(args, on, k_on)
        if "latency" in only:
            latency(args, on, k_on)
    print(f"\nload average at end: {load()}; took {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
