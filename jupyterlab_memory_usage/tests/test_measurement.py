"""Exact figures of real executions in real IPython kernels, read through the API."""

import pytest

from .helpers import MIB, ONES_1E8_BYTES, as_datetime, assert_close, mib, start_kernel


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


RUN_ALL = ["q1 = np.ones(10**8)", "q2 = q1 * 2", "del q1", "q3 = np.ones(5*10**7)", "del q2, q3"]
RUN_ALL_DELTAS_MIB = [762.94, 762.94, -762.94, 381.47, -1144.41]


async def test_run_all_gives_each_cell_its_own_figures(kernel):
    records = await kernel.run_all(RUN_ALL)
    assert [r["status"] for r in records] == ["ok"] * 5
    for previous, record in zip(records, records[1:]):
        assert record["started"] >= previous["ended"], (previous, record)
    for code, record, expected in zip(RUN_ALL, records, RUN_ALL_DELTAS_MIB):
        assert_close(record["delta"], expected * MIB, 0.02, f"delta of {code!r}")
    print("\nRun All deltas:", ", ".join(f"{mib(r['delta']):+.2f}" for r in records), "MiB")


async def test_long_c_call_at_the_start_of_a_cell(kernel):
    msg_id = kernel.send("s = [0.5] * (5*10**7)")
    reply = (await kernel.wait_replies([msg_id]))[msg_id]
    (record,) = await kernel.wait_records([msg_id])
    # ipykernel stamps the reply's metadata when it starts handling the request, and
    # the reply's header when it is done: the kernel's own view of the run time.
    real_s = (as_datetime(reply["header"]["date"]) - as_datetime(reply["metadata"]["started"])).total_seconds()
    assert_close(record["delta"], 5 * 10**7 * 8, 0.03, "delta of s = [0.5] * (5*10**7)")
    assert abs(record["duration"] - real_s) <= 0.2 * real_s, (record["duration"], real_s)
    print(f"\n[0.5]*(5*10**7): {mib(record['delta']):+.2f} MiB in {record['duration']:.3f} s (kernel's reply: {real_s:.3f} s)")


async def test_a_cell_that_raises(kernel):
    record = await kernel.run("e = np.ones(10**7); 1/0")
    assert record["status"] == "error"
    assert_close(record["delta"], 8 * 10**7, 0.03, "delta of a failing cell")
    assert record["execution_count"] is not None


async def test_cells_queued_after_an_error_are_aborted(kernel):
    records = await kernel.run_all(["1/0", "z = 1", "z = 2"])
    assert [r["status"] for r in records] == ["error", "aborted", "aborted"]
    assert records[1]["delta"] is None


async def test_the_hook_costs_microseconds(kernel):
    msg_id = kernel.send(
        "import time as _t\n"
        "_h = get_ipython()._jupyterlab_memory_usage_hook\n"
        "_n = 500\n"
        "_t0 = _t.perf_counter()\n"
        "for _ in range(_n): _h.pre_run_cell()\n"
        "_t1 = _t.perf_counter()\n"
        "for _ in range(_n): _h.pre_run_cell(); _h.post_run_cell()\n"
        "_t2 = _t.perf_counter()\n"
        "_h.pre_run_cell()\n"
        "print(f'{(_t1-_t0)/_n*1e6:.1f} {((_t2-_t1)-(_t1-_t0))/_n*1e6:.1f}')"
    )
    start_us, end_us = (float(v) for v in (await kernel.read_stdout(msg_id)).split())
    (record,) = await kernel.wait_records([msg_id])
    assert record["status"] == "ok"
    # Not a timing assertion (bench/ does that): the figures must exist and be sane.
    assert 0 < start_us < 10_000 and 0 < end_us < 10_000
    print(f"\nhook cost per cell: start {start_us:.1f} us, end {end_us:.1f} us")
