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
