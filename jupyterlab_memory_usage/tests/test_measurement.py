"""Exact figures of real executions in real IPython kernels, read through the API."""

import asyncio
import os
import stat
import time

import pytest

from jupyterlab_memory_usage import ring

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


async def test_execution_count_is_the_kernels_whatever_the_code_says(kernel):
    # The server reads execute_input's execution_count without parsing the cell's code.
    code = 'text = \'{"execution_count": 9999, "code": "x"}\'  # "execution_count": 8888\nlen(text)'
    msg_id = kernel.send(code)
    reply = (await kernel.wait_replies([msg_id]))[msg_id]
    (record,) = await kernel.wait_records([msg_id])
    assert reply["content"]["execution_count"] not in (9999, 8888)
    assert record["execution_count"] == reply["content"]["execution_count"], record


async def test_cells_queued_after_an_error_are_aborted(kernel):
    records = await kernel.run_all(["1/0", "z = 1", "z = 2"])
    assert [r["status"] for r in records] == ["error", "aborted", "aborted"]
    assert records[1]["delta"] is None


async def test_the_hook_costs_microseconds(kernel):
    # The full cost per cell, start and end apart, with the ring file the server gave
    # the hook: post_run_cell writes a slot keyed by this execution's msg_id, and the
    # last pre_run_cell re-arms the hook so the cell's own slot is the newest one.
    msg_id = kernel.send(
        "import time as _t\n"
        "_h = get_ipython()._jupyterlab_memory_usage_hook\n"
        "_n = 2000\n"
        "_t0 = _t.perf_counter()\n"
        "for _ in range(_n): _h.pre_run_cell()\n"
        "_t1 = _t.perf_counter()\n"
        "for _ in range(_n): _h.pre_run_cell(); _h.post_run_cell()\n"
        "_t2 = _t.perf_counter()\n"
        "_h.pre_run_cell()\n"
        "print(f'{(_t1-_t0)/_n*1e6:.1f} {((_t2-_t1)-(_t1-_t0))/_n*1e6:.1f} {_h.ring is not None}')"
    )
    start_us, end_us, ring = (await kernel.read_stdout(msg_id)).split()
    start_us, end_us = float(start_us), float(end_us)
    (record,) = await kernel.wait_records([msg_id])
    assert record["status"] == "ok"
    assert record["method"] == "kernel_hook"
    assert ring == "True"
    # Not a timing assertion (bench/ does that): only reported.
    print(f"\nhook cost per cell (ring): start {start_us:.1f} us, end {end_us:.1f} us, "
          f"total {start_us + end_us:.1f} us")


async def _iopub_of(kernel, msg_id, timeout=60):
    """The types of the iopub messages this client got for an execution, up to its idle."""
    types = []
    deadline = time.monotonic() + timeout
    while True:
        msg = await kernel.client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        types.append(msg["msg_type"])
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return types


async def test_no_extra_iopub_message_per_cell_with_the_ring(kernel):
    for code in ("r = 1", "r + 1", "print(r)"):
        msg_id = kernel.send(code)
        types = await _iopub_of(kernel, msg_id)
        (record,) = await kernel.wait_records([msg_id])
        assert record["method"] == "kernel_hook", record
        assert "comm_msg" not in types, types
        assert types[:2] == ["status", "execute_input"] and types[-1] == "status", types
        assert set(types[2:-1]) <= {"stream", "execute_result"}, types


async def test_the_hook_without_a_ring_file_reports_by_iopub(kernel):
    # Loaded by hand, as with %load_ext: no ring file, the figures go by iopub.
    await kernel.run(
        "import jupyterlab_memory_usage.kernel_hook as _k; _k.load_ipython_extension(get_ipython())"
    )
    msg_id = kernel.send("x = np.ones(10**8)")
    types = await _iopub_of(kernel, msg_id)
    (allocated,) = await kernel.wait_records([msg_id])
    assert types.count("comm_msg") == 1, types
    assert allocated["status"] == "ok"
    assert allocated["method"] == "kernel_hook"
    assert_close(allocated["delta"], ONES_1E8_BYTES, 0.02, "delta of x = np.ones(10**8) without a ring")
    released = await kernel.run("del x")
    assert_close(released["delta"], -ONES_1E8_BYTES, 0.02, "delta of del x without a ring")
    temporary = await kernel.run("np.ones(10**8).sum()")
    assert_close(temporary["peak_increment"], ONES_1E8_BYTES, 0.02, "peak of a temporary without a ring")
    records = await kernel.run_all(RUN_ALL)
    for code, record, expected in zip(RUN_ALL, records, RUN_ALL_DELTAS_MIB):
        assert record["method"] == "kernel_hook"
        assert_close(record["delta"], expected * MIB, 0.02, f"delta of {code!r} without a ring")
    failed = await kernel.run("1/0")
    assert failed["status"] == "error" and failed["method"] == "kernel_hook"


async def test_the_ring_file_is_private_and_goes_with_the_kernel(jp_fetch, kernel):
    state = await kernel.state()
    directory = ring.private_dir()
    files = [f for f in os.listdir(directory) if f.startswith(f"kernel-{state['pid']}-")]
    assert len(files) == 1, files
    path = os.path.join(directory, files[0])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    await jp_fetch("api", "kernels", kernel.kernel_id, method="DELETE")
    for _ in range(200):
        if not os.path.exists(path):
            break
        await asyncio.sleep(0.05)
    assert not os.path.exists(path)
