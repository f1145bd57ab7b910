"""How often a busy kernel is read: every live_sample_interval_s where the cell's peak comes
from the high-water mark (the readings only feed the live figures), every
busy_sample_interval_s where the peak is the largest reading."""

from __future__ import annotations

import pytest

from .helpers import kernel_with_numpy


@pytest.fixture
def memory_usage_config():
    return {}


@pytest.fixture
def jp_server_config(jp_server_config, memory_usage_config):
    return {**jp_server_config, "MemoryUsage": memory_usage_config}


@pytest.fixture
def kernel(jp_fetch, jp_serverapp, jp_asyncio_loop, memory_usage_config):
    session = kernel_with_numpy(jp_fetch, jp_serverapp, jp_asyncio_loop,
                                memory_usage_config.get("load_kernel_hook", True))
    yield session
    session.close()


async def gaps_during_a_cell(kernel) -> list[float]:
    record = await kernel.run("import time; time.sleep(3)")
    state = await kernel.state()
    times = [s["time"] for s in state["samples"] if record["started"] + 0.5 < s["time"] < record["ended"] - 0.1]
    return [b - a for a, b in zip(times, times[1:])]


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


async def test_a_kernel_with_an_exact_peak_is_read_every_live_interval(kernel):
    gaps = await gaps_during_a_cell(kernel)
    assert len(gaps) >= 4, gaps
    assert 0.25 <= median(gaps) <= 0.4, gaps


@pytest.mark.parametrize("memory_usage_config", [{"load_kernel_hook": False, "reset_peak": False}])
async def test_a_kernel_whose_peak_is_sampled_is_read_every_busy_interval(kernel):
    record_gaps = await gaps_during_a_cell(kernel)
    assert len(record_gaps) >= 15, record_gaps
    assert 0.05 <= median(record_gaps) <= 0.15, record_gaps


async def test_the_tick_runs_as_often_as_the_busiest_kernel_needs(kernel, jp_serverapp):
    """Idle kernels need no tick every 0.1 s: the tick slows to the reconcile interval
    and comes back at once when a cell starts, for its first live reading."""
    import asyncio
    import time

    root = jp_serverapp.web_app.settings["memory_usage_monitor"]

    async def until_idle_tick(what: str) -> None:
        deadline = time.monotonic() + 10
        while root.tick_period_s() != pytest.approx(0.5):
            assert time.monotonic() < deadline, f"{what}: the tick stayed at {root.tick_period_s()} s"
            await asyncio.sleep(0.02)

    await until_idle_tick("idle")
    msg_id = kernel.send("import time; time.sleep(2)")
    deadline = time.monotonic() + 10
    while not (running := (await kernel.state())["executions"]) or running[-1]["msg_id"] != msg_id:
        assert time.monotonic() < deadline, "the cell never showed"
        await asyncio.sleep(0.02)
    assert root.tick_period_s() == pytest.approx(0.3), "a busy kernel with an exact peak"
    (record,) = await kernel.wait_records([msg_id])
    samples = [s["time"] for s in (await kernel.state())["samples"] if record["started"] < s["time"] < record["ended"]]
    # The first live reading comes within busy_sample_interval_s of the start (plus a
    # loop's lag), not at the idle tick's next turn.
    assert samples and samples[0] - record["started"] <= 0.25, (record["started"], samples[:3])
    await until_idle_tick("idle again")
