"""Heap mode (issue 10): tracemalloc in real IPython kernels, turned on and off through the API."""

import json

import pytest
from tornado.httpclient import HTTPClientError

from .helpers import MIB, ONES_1E8_BYTES, assert_close, mib, start_kernel, wait_state


@pytest.fixture
def kernel(jp_fetch, jp_serverapp, jp_asyncio_loop):
    session = jp_asyncio_loop.run_until_complete(start_kernel(jp_fetch, jp_serverapp))
    state = jp_asyncio_loop.run_until_complete(session.wait_for_hook())
    assert state["hook"] == "active", state
    jp_asyncio_loop.run_until_complete(session.run("import numpy as np, sys"))
    yield session
    session.close()


async def heap_mode(kernel, enabled, expect_code=200):
    response = await kernel.fetch("api", "memory-usage", "kernels", kernel.kernel_id, "heap-mode",
                                  method="POST", body=json.dumps({"enabled": enabled}))
    assert response.code == expect_code, response.code
    return json.loads(response.body)


async def value_in_kernel(kernel, expression):
    msg_id = kernel.send(f"print(repr({expression}))")
    return eval(await kernel.read_stdout(msg_id))


async def _iopub_types(kernel, msg_id):
    types = []
    while True:
        msg = await kernel.client.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        types.append(msg["msg_type"])
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return types


async def test_heap_figures_of_arrays_and_small_objects(kernel):
    assert (await kernel.state())["heap_mode"] is False
    reply = await heap_mode(kernel, True)
    assert reply["heap_mode"] is True and reply["pending"] is False, reply
    assert (await kernel.state())["heap_mode"] is True
    assert await value_in_kernel(kernel, "__import__('tracemalloc').is_tracing()") is True
    # The silent execution left no name behind.
    assert await value_in_kernel(kernel, "[n for n in ('ns', 'tracemalloc', 'status') if n in globals()]") == []

    allocated = await kernel.run("y = np.ones(10**8)")
    assert allocated["method"] == "kernel_hook"
    assert_close(allocated["heap_delta"], ONES_1E8_BYTES, 0.02, "heap_delta of y = np.ones(10**8)")
    assert_close(allocated["delta"], ONES_1E8_BYTES, 0.02, "delta of y = np.ones(10**8) in heap mode")
    temporary = await kernel.run("np.ones(10**8).sum()")
    assert_close(temporary["heap_peak_increment"], ONES_1E8_BYTES, 0.02, "heap peak of np.ones(10**8).sum()")
    assert abs(temporary["heap_delta"]) < MIB, temporary

    strings = await kernel.run("s = [str(i) * 3 for i in range(10**6)]")
    expected = await value_in_kernel(kernel, "sys.getsizeof(s) + sum(map(sys.getsizeof, s))")
    assert_close(strings["heap_delta"], expected, 0.10, "heap_delta of 10**6 small strings")
    print(f"\nheap mode: y = np.ones(10**8): heap_delta {mib(allocated['heap_delta']):+.2f} MiB; "
          f"np.ones(10**8).sum(): heap peak +{mib(temporary['heap_peak_increment']):.2f} MiB; "
          f"10**6 strings: heap_delta {mib(strings['heap_delta']):+.2f} MiB, getsizeof {mib(expected):.2f} MiB, "
          f"resident delta {mib(strings['delta']):+.2f} MiB")


REUSE = [
    "a = [bytes(1000) for _ in range(10**5)]",
    "del a",
    "b = [bytes(1000) for _ in range(10**5)]",
]


async def test_reuse_of_freed_memory_shows_in_the_heap_only(kernel):
    await heap_mode(kernel, True)
    records = [await kernel.run(code) for code in REUSE]
    expected = await value_in_kernel(kernel, "sys.getsizeof(b) + sum(map(sys.getsizeof, b))")
    for code, record in zip(REUSE, records):
        print(f"\n{code:45s} resident {mib(record['delta']):+8.2f} MiB, heap {mib(record['heap_delta']):+8.2f} MiB",
              end="")
    print()
    reuse = records[2]
    assert_close(reuse["heap_delta"], expected, 0.05, "heap_delta of the cell that reuses freed memory")
    assert abs(reuse["delta"]) < 0.1 * expected, f"resident delta {mib(reuse['delta']):+.2f} MiB"


async def test_turning_it_off_stops_tracing_and_heap_figures(kernel):
    await heap_mode(kernel, True)
    on = await kernel.run("z = np.ones(10**6)")
    assert_close(on["heap_delta"], 8 * 10**6, 0.05, "heap_delta of z")
    reply = await heap_mode(kernel, False)
    assert reply["heap_mode"] is False and reply["pending"] is False, reply
    assert (await kernel.state())["heap_mode"] is False
    assert await value_in_kernel(kernel, "__import__('tracemalloc').is_tracing()") is False
    msg_id = kernel.send("w = np.ones(10**6)")
    types = await _iopub_types(kernel, msg_id)
    (off,) = await kernel.wait_records([msg_id])
    assert "comm_msg" not in types, types
    assert off["method"] == "kernel_hook"
    assert off["heap_delta"] is None and off["heap_peak_increment"] is None, off


async def test_malformed_body_is_refused(kernel):
    for body in ("", "[]", "{}", '{"enabled": 1}', '{"enabled": "yes"}'):
        with pytest.raises(HTTPClientError) as e:
            await kernel.fetch("api", "memory-usage", "kernels", kernel.kernel_id, "heap-mode",
                               method="POST", body=body, allow_nonstandard_methods=True)
        assert e.value.code == 400, body
    with pytest.raises(HTTPClientError) as e:
        await kernel.fetch("api", "memory-usage", "kernels", "no-such-kernel", "heap-mode",
                           method="POST", body='{"enabled": true}')
    assert e.value.code == 404


async def test_a_restart_turns_it_off_unless_configured(kernel, jp_serverapp):
    await heap_mode(kernel, True)
    old_pid = (await kernel.state())["pid"]
    await kernel.fetch("api", "kernels", kernel.kernel_id, "restart", method="POST", body="")
    state = await wait_state(kernel, lambda s: s["pid"] not in (None, old_pid) and s["hook"] == "active",
                             "restarted with its hook")
    assert state["heap_mode"] is False
    await kernel.client.wait_for_ready(timeout=60)
    assert await value_in_kernel(kernel, "__import__('tracemalloc').is_tracing()") is False

    monitor = jp_serverapp.web_app.settings["memory_usage_monitor"]
    monitor.config.heap_mode_after_restart = True
    try:
        await heap_mode(kernel, True)
        old_pid = state["pid"]
        await kernel.fetch("api", "kernels", kernel.kernel_id, "restart", method="POST", body="")
        state = await wait_state(kernel, lambda s: s["pid"] not in (None, old_pid) and s["heap_mode"],
                                 "restarted with heap mode back on")
        await kernel.client.wait_for_ready(timeout=60)
        await kernel.run("import numpy as np")
        record = await kernel.run("v = np.ones(10**7)")
        assert_close(record["heap_delta"], 8 * 10**7, 0.02, "heap_delta after a restart")
    finally:
        monitor.config.heap_mode_after_restart = False


async def test_cost_of_tracing(kernel):
    loop = ("import time as _t; _t0 = _t.perf_counter()\n"
            "for _ in range(5):\n    _x = [(i,) for i in range(10**6)]; del _x\n"
            "print(_t.perf_counter() - _t0)")
    runs = {}
    for enabled in (False, True, False, True):
        await heap_mode(kernel, enabled)
        seconds = float(await kernel.read_stdout(kernel.send(loop)))
        runs[enabled] = min(seconds, runs.get(enabled, seconds))
    print(f"\ntracing cost: 5 x 10**6 small tuples: off {runs[False]*1000:.0f} ms, on {runs[True]*1000:.0f} ms, "
          f"ratio {runs[True] / runs[False]:.2f}")


@pytest.mark.parametrize("frames", [1, 10])
async def test_heap_mode_names_where_a_cell_allocated(kernel, jp_serverapp, frames):
    jp_serverapp.web_app.settings["memory_usage_monitor"].config.heap_mode_frames = frames
    off = await kernel.run("w = 1")
    assert off["heap_top"] is None  # heap mode off
    await heap_mode(kernel, True)
    defined = await kernel.run("\ndef make(n):\n    return [str(i) * 3 for i in range(n)]\n")
    msg_id = kernel.send("big = np.ones(10**8)\nsmall = make(10**5)")
    await kernel.annotate(msg_id, "cell-alloc")
    (record,) = await kernel.wait_records([msg_id])
    sites = record["heap_top"]
    assert 1 <= len(sites) <= 10, sites
    assert sites == sorted(sites, key=lambda s: -s["size"]), sites
    first = sites[0]
    assert_close(first["size"], ONES_1E8_BYTES, 0.02, "the array's site")
    if frames == 1:  # where NumPy allocates the buffer
        assert first["file"].endswith("numeric.py") and first["execution_count"] is None, first
    else:  # the cell's line that asked for it, named by the cell's id
        assert (first["line"], first["execution_count"], first["cell_id"]) == (
            1, record["execution_count"], "cell-alloc"), first
    # The strings: allocated inside make(), line 3 of the cell that defined it (its
    # first line is blank); small blocks are counted from a sample.
    (strings,) = [s for s in sites if s["execution_count"] == defined["execution_count"]]
    expected = await value_in_kernel(kernel, "sys.getsizeof(small) + sum(map(sys.getsizeof, small))")
    assert strings["line"] == 3, strings
    assert_close(strings["size"], expected, 0.10, "the strings' site")
    # Nothing of our own bookkeeping among them.
    assert not [s for s in sites if "kernel_h" in s["file"] or "tracemalloc" in s["file"]], sites
    released = await kernel.run("del big, small")
    # Nothing of the cell's grew (IPython's history and the like, a few KiB, may).
    assert all(s["size"] < MIB for s in released["heap_top"]), released["heap_top"]
    await heap_mode(kernel, False)
    assert (await kernel.run("v = 1"))["heap_top"] is None
    print(f"\nheap sites ({frames} frames): " + ", ".join(
        f"{s['file'].rsplit('/', 1)[-1]}:{s['line']} {mib(s['size']):.2f} MiB" for s in sites[:3]))
