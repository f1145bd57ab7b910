"""What monitoring costs the server.

1. CPU: two servers side by side, one with the extension and one with
   `--MemoryUsage.enabled=False`, each running 20 kernels that execute short cells back to
   back (driven straight over ZMQ from this process, one cell always queued behind the
   running one). Load is put on one server at a time, alternating, for 60 s per server in all;
   the server process's CPU time (user + system, all its threads) over those seconds, with
   minus without, as a fraction of one core (target < 1%). Also the same with the 20 kernels
   idle.
2. Memory: the server's resident memory while 10 kernels run 10,000 `pass` cells each
   (100,000 recorded executions, each kernel one cell at a time) with
   `--MemoryUsage.max_executions=5000` and `--MemoryUsage.max_samples=5000`, so both history
   limits are reached half way: the curve and the total growth (target: bounded, < 50 MB,
   flat once the limits are reached); with `--baseline`, beside the same load on a server with
   the extension disabled. Also checks that every execution of the kept window was recorded,
   and how far the server's records trail the kernel.
3. Burst: 10 kernels each running 300 `pass` cells, 5 queued at a time (Run All in ten
   notebooks at once): how many executions were recorded, how many with the hook's exact
   figures, and how far the server fell behind.

Run: .venv/bin/python bench/server_cost.py [--quick] [--kernels N] [--seconds S] ...
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import Counter, deque

from _common import MIB, Server, banner, load, median, table


class Driver(threading.Thread):
    """Keeps one kernel executing `cell` back to back: `depth` requests always outstanding."""

    def __init__(self, client, cell: str, depth: int):
        super().__init__(daemon=True)
        self.client, self.cell, self.depth = client, cell, depth
        self.running = threading.Event()
        self.halt = threading.Event()
        self.done = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        pending: deque[str] = deque()
        try:
            while not self.halt.is_set():
                if not self.running.is_set() and not pending:
                    self.running.wait(0.1)
                    continue
                while self.running.is_set() and len(pending) < self.depth:
                    pending.append(self.client.execute(self.cell))
                try:
                    msg = self.client.get_shell_msg(timeout=0.5)
                except Exception:  # queue.Empty
                    continue
                parent = msg["parent_header"].get("msg_id")
                if parent in pending:
                    pending.remove(parent)
                    self.done += 1
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            self.error = e


def start_kernels(server: Server, n: int, hook: bool) -> list[tuple[str, object]]:
    kernel_ids = [server.start_kernel() for _ in range(n)]
    kernels = []
    for kernel_id in kernel_ids:
        client = server.client(kernel_id, iopub=False)
        if hook:
            state = server.wait_hook(kernel_id)
            assert state["hook"] == "active", state
        kernels.append((kernel_id, client))
    return kernels


def cpu_seconds(server: Server) -> float:
    times = server.process.cpu_times()
    return times.user + times.system


def cpu_phase(args) -> None:
    print(f"\n-- server CPU: {args.kernels} kernels per server running `{args.cell}` back to back, "
          f"{args.seconds:.0f} s per server in {args.rounds} alternating rounds --", flush=True)
    t0 = time.time()
    with Server(*args.server_arg, name="cpu-enabled") as on, \
            Server("--MemoryUsage.enabled=False", name="cpu-disabled") as off:
        servers = {"enabled": on, "disabled": off}
        drivers: dict[str, list[Driver]] = {}
        for name, server in servers.items():
            kernels = start_kernels(server, args.kernels, hook=name == "enabled")
            drivers[name] = [Driver(client, args.cell, depth=2) for _, client in kernels]
            for d in drivers[name]:
                d.start()
        print(f"   {2 * args.kernels} kernels ready in {time.time() - t0:.0f} s (load {load()})", flush=True)
        time.sleep(3)
        busy = {name: [0.0, 0.0, 0] for name in servers}  # cpu s, wall s, executions
        idle = {name: [0.0, 0.0] for name in servers}
        # Idle first: 20 idle kernels per server, both measured over the same seconds.
        if args.idle_seconds > 0:
            c0 = {name: cpu_seconds(s) for name, s in servers.items()}
            w0 = time.monotonic()
            time.sleep(args.idle_seconds)
            for name, s in servers.items():
                idle[name] = [cpu_seconds(s) - c0[name], time.monotonic() - w0]
        per_round = args.seconds / args.rounds
        for r in range(args.rounds):
            order = ("enabled", "disabled") if r % 2 == 0 else ("disabled", "enabled")
            for name in order:
                group = drivers[name]
                for d in group:
                    d.running.set()
                time.sleep(2)  # ramp up: every kernel busy
                done0 = sum(d.done for d in group)
                c0, w0 = cpu_seconds(servers[name]), time.monotonic()
                time.sleep(per_round)
                c1, w1 = cpu_seconds(servers[name]), time.monotonic()
                done1 = sum(d.done for d in group)
                for d in group:
                    d.running.clear()
                busy[name][0] += c1 - c0
                busy[name][1] += w1 - w0
                busy[name][2] += done1 - done0
                # Let the queue drain before the other server's turn.
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    before = sum(d.done for d in group)
                    time.sleep(0.5)
                    if sum(d.done for d in group) == before:
                        break
                print(f"   round {r + 1} {name}: {done1 - done0} executions, server CPU "
                      f"{(c1 - c0) / (w1 - w0) * 100:.2f}% of a core (load {load()})", flush=True)
        for group in drivers.values():
            for d in group:
                d.halt.set()
                d.join()
                if d.error:
                    raise d.error
                d.client.stop_channels()
        # Did the monitor record every execution, with the hook's figures?
        time.sleep(2)
        recorded, methods = 0, Counter()
        for kernel_id in on.kernel_ids:
            records = [r for r in on.memory_state(kernel_id, 0)["executions"] if r["status"] != "running"]
            recorded += len(records)
            methods.update(r["method"] for r in records)
        executed = sum(d.done for d in drivers["enabled"])

    def pct(cpu: float, wall: float) -> str:
        return f"{cpu / wall * 100:.2f}%" if wall else "n/a"

    on_b, off_b = busy["enabled"], busy["disabled"]
    extra = on_b[0] / on_b[1] - off_b[0] / off_b[1]
    rate = on_b[2] / on_b[1]
    rows = [
        [f"{args.kernels} kernels busy", pct(on_b[0], on_b[1]), pct(off_b[0], off_b[1]), f"**{extra * 100:.2f}%**",
         f"{rate:.0f} / {off_b[2] / off_b[1]:.0f}", f"{extra / rate * 1e6:.0f}" if rate else "n/a"],
    ]
    if args.idle_seconds > 0:
        on_i, off_i = idle["enabled"], idle["disabled"]
        rows.append([f"{args.kernels} kernels idle", pct(*on_i), pct(*off_i),
                     f"{(on_i[0] / on_i[1] - off_i[0] / off_i[1]) * 100:.2f}%", "0", "–"])
    print(table(["load", "server CPU, enabled", "server CPU, disabled", "monitoring's share of a core",
                 "executions/s on / off", "µs of server CPU per execution"], rows))
    print("CPU: user + system of the server process over the measured seconds (ramp-up excluded); "
          "target: monitoring < 1% of a core")
    print(f"enabled server: {recorded} of {executed} executions recorded; methods {dict(methods)}")


def memory_run(args, name: str, *server_args: str, enabled: bool = True) -> dict:
    """One server under the memory phase's load: its RSS curve, and what it kept."""
    total = args.mem_kernels * args.mem_cells
    t0 = time.time()
    result: dict = {}
    if enabled:
        server_args = (*server_args, *args.server_arg)
    with Server(*server_args, name=name) as server:
        kernels = start_kernels(server, args.mem_kernels, hook=enabled)
        for _, client in kernels:  # one cell each, so that every structure exists before the baseline
            client.execute("pass", store_history=args.store_history)
            client.get_shell_msg(timeout=60)
        time.sleep(3)
        rss0 = server.process.memory_info().rss
        print(f"   {name}: {args.mem_kernels} kernels ready in {time.time() - t0:.0f} s; server RSS "
              f"{rss0 / MIB:.1f} MiB", flush=True)
        counts = [0] * len(kernels)
        errors: list[BaseException] = []

        def run(i: int, client) -> None:
            try:
                sent = 0
                while counts[i] < args.mem_cells:
                    batch = min(args.batch, args.mem_cells - sent)
                    ids = {client.execute("pass", store_history=args.store_history) for _ in range(batch)}
                    sent += batch
                    while ids:
                        msg = client.get_shell_msg(timeout=120)
                        if msg["parent_header"].get("msg_id") in ids:
                            ids.discard(msg["parent_header"]["msg_id"])
                            counts[i] += 1
            except BaseException as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, (_, c) in enumerate(kernels)]
        w0 = time.monotonic()
        for t in threads:
            t.start()
        curve = [(0, rss0, 0.0)]
        step = max(1, total // args.points)
        next_mark = step
        peak = rss0
        lags: list[float] = []
        seq, last_poll = 0, 0.0
        while any(t.is_alive() for t in threads):
            time.sleep(0.25)
            done = sum(counts)
            rss = server.process.memory_info().rss
            peak = max(peak, rss)
            if done >= next_mark:
                curve.append((done, rss, time.monotonic() - w0))
                next_mark += step
            if enabled and time.monotonic() - last_poll >= 1:
                # How far behind the kernel the server's records are: now - the newest
                # final record's end, on the first kernel.
                last_poll = time.monotonic()
                state = server.memory_state(kernels[0][0], seq)
                seq = state["seq"]
                ended = [r["ended"] for r in state["executions"] if r["status"] != "running" and r["ended"]]
                if ended:
                    lags.append(time.time() - max(ended))
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        elapsed = time.monotonic() - w0
        time.sleep(2)  # the last records final
        rss_end = server.process.memory_info().rss
        if curve[-1][0] != total:
            curve.append((total, rss_end, elapsed))
        kept, methods, gaps = [], Counter(), 0
        if enabled:
            for kernel_id, _ in kernels:
                records = [r for r in server.memory_state(kernel_id, 0)["executions"] if r["status"] != "running"]
                kept.append(len(records))
                methods.update(r["method"] for r in records)
                if args.store_history:
                    # The kept window must be the last executions, every one of them.
                    last = args.mem_cells + 1
                    expected = set(range(last - min(len(records), args.mem_cells) + 1, last + 1))
                    gaps += len(expected - {r["execution_count"] for r in records})
        for _, client in kernels:
            client.stop_channels()
    result.update(curve=curve, rss0=rss0, rss_end=rss_end, peak=peak, elapsed=elapsed, kept=kept,
                  methods=methods, gaps=gaps, lags=lags)
    print(f"   {name}: {total} executions in {elapsed:.0f} s (load {load()})", flush=True)
    return result


def memory_phase(args) -> None:
    total = args.mem_kernels * args.mem_cells
    print(f"\n-- server memory: {args.mem_kernels} kernels x {args.mem_cells} `pass` cells = {total:,} executions "
          f"(store_history={args.store_history}, {args.batch} queued per kernel), "
          f"max_executions={args.max_executions}, max_samples={args.max_samples} --", flush=True)
    limits = (f"--MemoryUsage.max_executions={args.max_executions}", f"--MemoryUsage.max_samples={args.max_samples}")
    on = memory_run(args, "mem-enabled", *limits)
    off = memory_run(args, "mem-disabled", "--MemoryUsage.enabled=False", enabled=False) if args.baseline else None
    limit_at = args.max_executions * args.mem_kernels
    rows, marked = [], False
    off_by_point = off["curve"] if off else []
    for i, (done, rss, at) in enumerate(on["curve"]):
        mark = ""
        if done >= limit_at and not marked:
            mark, marked = " ← executions limit reached", True
        row = [f"{done:,}", f"{at:.0f}", f"{rss / MIB:.1f}", f"{(rss - on['rss0']) / MIB:+.1f}{mark}"]
        if off:
            if i < len(off_by_point):
                o_done, o_rss, _ = off_by_point[i]
                row.append(f"{(o_rss - off['rss0']) / MIB:+.1f} (at {o_done:,})")
            else:
                row.append("")
        rows.append(row)
    headers = ["executions", "s", "server RSS MiB", "growth MiB"]
    if off:
        headers.append("growth MiB, extension disabled")
    print(table(headers, rows))
    after = [rss for done, rss, _ in on["curve"] if done >= limit_at]
    growth = on["rss_end"] - on["rss0"]
    line = f"total growth: **{growth / 1e6:.1f} MB** ({growth / MIB:.1f} MiB; peak {(on['peak'] - on['rss0']) / MIB:+.1f} MiB)"
    if after:
        line += f"; from the limits ({limit_at:,} executions) to the end: {(after[-1] - after[0]) / MIB:+.1f} MiB"
    if off:
        line += f"; extension disabled: {(off['rss_end'] - off['rss0']) / MIB:+.1f} MiB"
    print(line)
    kept, lags = on["kept"], on["lags"]
    missing = f" (executions missing from the kept window: {on['gaps']})" if args.store_history else ""
    behind = (f"; the server's records behind the kernel by {median(lags):.2f} s median, {max(lags):.2f} s max"
              if lags else "")
    rates = f"{total / on['elapsed']:.0f} executions/s" + (f" ({total / off['elapsed']:.0f} with the extension disabled)" if off else "")
    print(f"{rates}; records kept per kernel {min(kept)}–{max(kept)}{missing}; "
          f"methods {dict(on['methods'])}{behind}")
    print("target: growth bounded, < 50 MB, flat once the limits are reached")


def burst_phase(args) -> None:
    """Queued trivial cells in many kernels at once: can the server keep up?"""
    print(f"\n-- burst: {args.burst_kernels} kernels each running {args.burst_cells} `pass` cells, "
          f"{args.burst_queue} queued at a time (a Run All in {args.burst_kernels} notebooks at once) --", flush=True)
    rows = [burst_run(args, store_history) for store_history in (True, False)]
    print(table(["store_history", "executions", "executions/s", "recorded", "by the hook (exact)", "from outside",
                 "records behind the kernel: median / max"], rows))
    print("store_history=False: the same cells without IPython's history database, so the kernels run them "
          "faster and outrun the server on this machine. When the server falls behind, the hook's ring (64 slots) is "
          "overwritten before it is read (figures from outside), and past ZMQ's high-water mark whole "
          "executions are lost. Target: everything recorded, by the hook")


def burst_run(args, store_history: bool) -> list[str]:
    total = args.burst_kernels * args.burst_cells
    with Server(*args.server_arg, name="burst") as server:
        kernels = start_kernels(server, args.burst_kernels, hook=True)
        done = [0] * len(kernels)

        def run(i: int, client) -> None:
            sent = 0
            while sent < args.burst_cells:
                ids = {client.execute("pass", store_history=store_history)
                       for _ in range(min(args.burst_queue, args.burst_cells - sent))}
                sent += len(ids)
                while ids:
                    msg = client.get_shell_msg(timeout=120)
                    if msg["parent_header"].get("msg_id") in ids:
                        ids.discard(msg["parent_header"]["msg_id"])
                        done[i] += 1

        threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, (_, c) in enumerate(kernels)]
        w0 = time.monotonic()
        for t in threads:
            t.start()
        lags, seq = [], 0
        while any(t.is_alive() for t in threads):
            time.sleep(0.5)
            state = server.memory_state(kernels[0][0], seq)
            seq = state["seq"]
            ended = [r["ended"] for r in state["executions"] if r["status"] != "running" and r["ended"]]
            if ended:
                lags.append(time.time() - max(ended))
        elapsed = time.monotonic() - w0
        # Let the server drain what it has queued.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            records = [r for k, _ in kernels for r in server.memory_state(k, 0)["executions"]]
            final = [r for r in records if r["status"] != "running"]
            if len(final) >= total:
                break
            time.sleep(1)
            again = [r for k, _ in kernels for r in server.memory_state(k, 0)["executions"] if r["status"] != "running"]
            if len(again) == len(final):
                break
        final = [r for k, _ in kernels for r in server.memory_state(k, 0)["executions"] if r["status"] != "running"]
        for _, client in kernels:
            client.stop_channels()
    exact = sum(r["method"] == "kernel_hook" for r in final)
    print(f"   store_history={store_history}: done (load {load()})", flush=True)
    return [str(store_history), f"{total:,}", f"{total / elapsed:.0f}", f"**{len(final):,}** ({len(final) / total:.1%})",
            f"**{exact:,}** ({exact / total:.1%})", f"{len(final) - exact:,}",
            f"{median(lags):.2f} s / {max(lags):.2f} s" if lags else "n/a"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run of about two minutes")
    parser.add_argument("--only", default="cpu,burst,memory", help="cpu,burst,memory")
    parser.add_argument("--kernels", type=int, default=20, help="kernels per server in the CPU phase (20)")
    parser.add_argument("--seconds", type=float, default=60, help="seconds of load per server (60)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds the seconds are split into (2)")
    parser.add_argument("--idle-seconds", type=float, default=15, help="seconds measured with all kernels idle (15)")
    parser.add_argument("--cell", default="import time; time.sleep(0.1)", help="the short cell of the CPU phase")
    parser.add_argument("--server-arg", action="append", default=[],
                        help="an extra argument for the servers with the extension (repeatable), e.g. "
                             "--server-arg=--MemoryUsage.children_sample_interval_s=3600")
    parser.add_argument("--burst-kernels", type=int, default=10)
    parser.add_argument("--burst-cells", type=int, default=300, help="cells per kernel in the burst phase")
    parser.add_argument("--burst-queue", type=int, default=5, help="cells queued at a time per kernel (burst)")
    parser.add_argument("--mem-kernels", type=int, default=10)
    parser.add_argument("--mem-cells", type=int, default=10000, help="cells per kernel in the memory phase")
    parser.add_argument("--max-executions", type=int, default=5000)
    parser.add_argument("--max-samples", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=1,
                        help="memory phase: cells queued at once per kernel (1; more makes the kernels outrun "
                             "the server on this machine, see docs/performance.md)")
    parser.add_argument("--no-store-history", dest="store_history", action="store_false",
                        help="memory phase: store_history=False (by default True, as JupyterLab sends it; it "
                             "numbers the executions, so that missing records can be counted)")
    parser.add_argument("--baseline", action="store_true",
                        help="memory phase: also the same load on a server with the extension disabled "
                             "(jupyter_server's own growth; doubles the phase's time, ~8 more minutes)")
    parser.add_argument("--points", type=int, default=10, help="points of the memory curve")
    args = parser.parse_args()
    if args.quick:
        args.kernels, args.seconds, args.idle_seconds = 6, 16, 5
        args.mem_kernels, args.mem_cells, args.max_executions, args.max_samples = 4, 1000, 500, 500
        args.burst_kernels, args.burst_cells = 4, 200
    only = set(args.only.split(","))
    banner("server cost")
    t0 = time.time()
    if "cpu" in only:
        cpu_phase(args)
    if "burst" in only:
        burst_phase(args)
    if "memory" in only:
        memory_phase(args)
    print(f"\nload average at end: {load()}; took {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
