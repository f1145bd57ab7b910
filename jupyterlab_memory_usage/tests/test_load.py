"""Load: 50 kernels executing at once on one server (loopback only, bounded in time).

The server must stay responsive (its own /api/status and our routes) and the figures
must stay right. The measured response times are printed (run with -s).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

import pytest

from .helpers import ONES_1E8_BYTES, assert_close, start_kernel

KERNELS = 50
LOAD_SECONDS = 20


@pytest.fixture
def kernels(jp_fetch, jp_serverapp, jp_asyncio_loop):
    async def start_all():
        sessions = []
        # A few at a time: starting 50 Python processes at once on 2 cores only
        # measures the machine, not the server.
        for first in range(0, KERNELS, 10):
            sessions += await asyncio.gather(*(start_kernel(jp_fetch, jp_serverapp) for _ in range(first, min(first + 10, KERNELS))))
        await asyncio.gather(*(s.wait_for_hook(timeout=120) for s in sessions))
        return sessions

    sessions = jp_asyncio_loop.run_until_complete(start_all())
    yield sessions
    for session in sessions:
        session.close()


async def timed_get(jp_fetch, *parts, **kwargs) -> float:
    started = time.perf_counter()
    response = await jp_fetch(*parts, **kwargs)
    assert response.code == 200
    return time.perf_counter() - started


async def test_fifty_kernels_executing(jp_fetch, kernels):
    deadline = time.monotonic() + LOAD_SECONDS

    async def keep_busy(session):
        runs = 0
        while time.monotonic() < deadline:
            await session.run("_x = [i * i for i in range(20000)]; sum(_x)")
            runs += 1
        return runs

    async def probe():
        status_s, ours_s, kernel_s = [], [], []
        while time.monotonic() < deadline:
            status_s.append(await timed_get(jp_fetch, "api", "status"))
            ours_s.append(await timed_get(jp_fetch, "api", "memory-usage", "kernels"))
            kernel_s.append(await timed_get(jp_fetch, "api", "memory-usage", "kernels", kernels[0].kernel_id))
            await asyncio.sleep(0.1)
        return status_s, ours_s, kernel_s

    async def measured():
        # One kernel does real work under the load: its figures must stay exact.
        await kernels[-1].run("import numpy as np")
        allocated = await kernels[-1].run("big = np.ones(10**8)")
        released = await kernels[-1].run("del big")
        return allocated, released

    results = await asyncio.gather(probe(), measured(), *(keep_busy(s) for s in kernels[:-1]))
    (status_s, ours_s, kernel_s), (allocated, released), *runs = results

    def summary(values):
        values = sorted(values)
        return f"median {statistics.median(values)*1000:.0f} ms, p95 {values[int(len(values)*0.95)]*1000:.0f} ms, max {values[-1]*1000:.0f} ms"

    print(f"\n{KERNELS} kernels, {sum(runs)} executions in {LOAD_SECONDS} s:")
    print(f"  /api/status:                 {summary(status_s)}")
    print(f"  /api/memory-usage/kernels:   {summary(ours_s)}")
    print(f"  /api/memory-usage/kernels/x: {summary(kernel_s)}")
    print(f"  np.ones(10**8) under load: delta {allocated['delta']/2**20:+.2f} MiB, del: {released['delta']/2**20:+.2f} MiB")

    assert_close(allocated["delta"], ONES_1E8_BYTES, 0.02, "delta under load")
    assert_close(released["delta"], -ONES_1E8_BYTES, 0.02, "release under load")
    assert min(runs) > 0, "a kernel never ran"
    # Responsive: a loaded 2-core machine, so the bound is loose; the figures are printed.
    assert max(status_s) < 5 and max(ours_s) < 5 and max(kernel_s) < 5
    listing = json.loads((await jp_fetch("api", "memory-usage", "kernels")).body)["kernels"]
    assert len(listing) == KERNELS and all(k["pid"] and k["rss"] for k in listing)
    # Every execution of the busy kernels was recorded, none left running.
    state = await kernels[0].state()
    assert len([r for r in state["executions"] if r["status"] == "ok"]) >= runs[0]
    assert not [r for r in state["executions"] if r["status"] == "running"]
