"""Exact figures of real executions in real IPython kernels, read through the API."""

import pytest

from .helpers import ONES_1E8_BYTES, MIB, assert_close, mib, start_kernel


@pytest.fixture
def kernel(jp_fetch, jp_serverapp, jp_asyncio_loop):
    session = jp_asyncio_loop.run_until_complete(start_kernel(jp_fetch, jp_serverapp))
    state = jp_asyncio_loop.run_until_complete(session.wait_for_hook())
    assert state["hook"] == "active", state
    jp_asyncio_loop.run_until_complete(session.run("import numpy as np"))
    yield session
    session.close()


async def test_allocation_and_release_are_exact(kernel):
    allocated = await kernel.run("x = np.ones(10**8)")
    assert allocated["status"] == "ok"
    assert allocated["method"] == "kernel_hook"
    assert_close(allocated["delta"], ONES_1E8_BYTES, 0.02, "delta of x = np.ones(10**8)")
    released = await kernel.run("del x")
    assert_close(released["delta"], -ONES_1E8_BYTES, 0.02, "delta of del x")
    print(f"\nx = np.ones(10**8): {mib(allocated['delta']):+.2f} MiB; del x: {mib(released['delta']):+.2f} MiB")


async def test_peak_of_a_temporary(kernel):
    record = await kernel.run("np.ones(10**8).sum()")
    assert abs(record["delta"]) < 16 * MIB, mib(record["delta"])
    assert_close(record["peak_increment"], ONES_1E8_BYTES, 0.02, "peak of np.ones(10**8).sum()")
    print(f"\nnp.ones(10**8).sum(): delta {mib(record['delta']):+.2f}, peak +{mib(record['peak_increment']):.2f} MiB")


async def test_peak_of_a_temporary_living_milliseconds(kernel):
    record = await kernel.run("np.ones(3*10**7).sum()")
    assert_close(record["peak_increment"], 3 * 8 * 10**7, 0.03, "peak of np.ones(3*10**7).sum()")
    print(f"\nnp.ones(3*10**7).sum(): peak +{mib(record['peak_increment']):.2f} MiB in {record['duration']*1000:.1f} ms")


async def test_temporaries_raise_the_peak_above_the_delta(kernel):
    record = await kernel.run("a = np.ones(2*10**7); b = a*2 + a*3")
    # a and b stay (305 MiB); a*2 and a*3 live together for a moment (+305 MiB).
    assert_close(record["delta"], 2 * 8 * 2 * 10**7, 0.03, "delta of a, b")
    assert record["peak_increment"] > record["delta"] + 100 * MIB, record
    print(f"\nb = a*2 + a*3: delta {mib(record['delta']):+.2f}, peak +{mib(record['peak_increment']):.2f} MiB")
