"""Faults that must end in a clear state and a clear message, never an exception loop:
a kernel restarted again and again (some restarts in the middle of a cell), and a
clear_refs write that fails, in the kernel (the hook) or in the server (no hook).

Kernels killed or exiting mid-cell and a REST shutdown are in test_lifecycle.py, a
server stopped mid-cell in test_server_stop.py.
"""

from __future__ import annotations

import asyncio
import logging
import os

import pytest

from ..hook_control import HookControl
from .helpers import (
    ONES_1E8_BYTES,
    ServerLog,
    assert_close,
    kernel_with_numpy,
    mib,
    real_pid,
    reconnect,
    record_of,
    start_kernel,
    wait_state,
)

RESTARTS = 5
# Make the kernel's own clear_refs write fail for real: the hook keeps
# /proc/self/clear_refs open, and this puts a read-only file behind that descriptor,
# so its next write raises OSError (EBADF) as a refused write would.
BREAK_CLEAR_REFS_IN_KERNEL = (
    "import os as _os\n"
    "_h = get_ipython()._jupyterlab_memory_usage_hook\n"
    "_fd = _os.open('/proc/self/statm', _os.O_RDONLY)\n"
    "_os.dup2(_fd, _h.proc._clear_refs_fd)\n"
    "_os.close(_fd)\n"
    "del _h, _fd, _os"
)


@pytest.fixture
def load_kernel_hook():
    """Parametrize a test with False to run its server without the in-kernel hook."""
    return True


@pytest.fixture
def jp_server_config(jp_server_config, load_kernel_hook):
    return {**jp_server_config, "MemoryUsage": {"load_kernel_hook": load_kernel_hook}}


@pytest.fixture
def server_log(jp_serverapp):
    log = ServerLog()
    yield log
    log.close()


@pytest.fixture
def kernel(jp_fetch, jp_serverapp, jp_asyncio_loop, load_kernel_hook, server_log):
    session = kernel_with_numpy(jp_fetch, jp_serverapp, jp_asyncio_loop, load_kernel_hook)
    yield session
    session.close()




def clear_refs_warnings(server_log: ServerLog) -> list[str]:
    return [m for m in server_log.ours(logging.WARNING) if "clear_refs" in m]


async def test_a_kernel_restarted_in_a_loop(jp_fetch, jp_serverapp, kernel, server_log):
    """Five restarts through the REST API, back to back; three of them while a cell
    runs (a sleep, an allocation, a sleep)."""
    pids = [(await kernel.state())["pid"]]
    interrupted: dict[str, int] = {}  # msg_id -> the pid it ran in
    for i in range(RESTARTS):
        if i % 2 == 0:
            if i:
                await reconnect(kernel)  # the restarted kernel, as a notebook reconnects
            # numpy's import in a cell of its own: it is not part of the allocation. Nor is
            # IPython's traceback machinery, imported when the restart's interrupt is the
            # process's first traceback (+3.7 MiB measured in a fresh IPython): one is
            # formatted here first.
            await kernel.run("import numpy as np, time")
            await kernel.run("try:\n    1/0\nexcept ZeroDivisionError:\n    get_ipython().showtraceback()")
            code = "x = np.ones(10**8); time.sleep(60)" if i == 2 else "time.sleep(60)"
            msg_id = kernel.send(code)
            await kernel.annotate(msg_id, f"cell-{i}", "restarts.ipynb")

            def running(state, msg_id=msg_id, i=i):
                record = record_of(state, msg_id)
                if record is None or record["status"] != "running" or record["pid"] != state["pid"]:
                    return False
                # The allocation is complete (and settled) before the restart.
                return i != 2 or record["rss_end"] - record["rss_start"] >= 0.99 * ONES_1E8_BYTES

            state = await wait_state(kernel, running, f"cell {i} never ran", 60)
            interrupted[msg_id] = state["pid"]
        response = await jp_fetch("api", "kernels", kernel.kernel_id, "restart", method="POST", body="")
        assert response.code == 200
        # Back to back: no waiting for the hook or for the monitor to follow.

    def settled(state):
        return (state["restarts"] == RESTARTS and state["hook"] == "active"
                and state["pid"] == real_pid(jp_serverapp, kernel.kernel_id))

    state = await wait_state(kernel, settled, f"the monitor did not follow {RESTARTS} restarts", 120)
    pids.append(state["pid"])
    assert state["execution_state"] == "idle" and state["reason"] is None, state

    outcomes = []
    for msg_id, pid in interrupted.items():
        record = record_of(state, msg_id)
        assert record is not None, f"the interrupted cell {msg_id} left no record"
        # The restart interrupts the cell first (the hook's figures, error), unless the
        # old process is gone before its idle arrives (died, with its exit status).
        assert record["status"] in ("error", "died"), record
        if record["status"] == "died":
            assert record["died_reason"] is not None, record
        else:
            assert record["died_reason"] is None and record["method"] == "kernel_hook", record
        assert record["pid"] == pid != state["pid"], (record, state["pid"])
        assert record["ended"] >= record["started"] and record["duration"] > 0, record
        assert record["rss_end"] is not None and record["rss_peak"] >= record["rss_end"], record
        outcomes.append(f"{record['cell_id']}: {record['status']} {mib(record['delta']):+.2f} MiB")
    allocation = next(record_of(state, m) for m in interrupted if record_of(state, m)["cell_id"] == "cell-2")
    assert_close(allocation["delta"], ONES_1E8_BYTES, 0.01, "delta of the allocation interrupted by a restart")
    assert not [r for r in state["executions"] if r["status"] == "running"], state["executions"]

    await reconnect(kernel)
    await kernel.run("import numpy as np")
    record = await kernel.run("x = np.ones(10**8)")
    assert record["status"] == "ok" and record["method"] == "kernel_hook" and record["pid"] == state["pid"], record
    assert_close(record["delta"], ONES_1E8_BYTES, 0.01, "delta of x = np.ones(10**8) after the restarts")
    assert server_log.our_errors() == []
    print(f"\n{RESTARTS} restarts: pid {pids[0]} -> {pids[-1]}, restarts {state['restarts']}, hook {state['hook']};"
          f" interrupted {'; '.join(outcomes)}; then x = np.ones(10**8): {mib(record['delta']):+.2f} MiB")


async def test_clear_refs_write_fails_in_the_kernel(kernel, server_log):
    exact = await kernel.run("x = np.ones(10**7)")
    assert exact["method"] == "kernel_hook", exact
    assert (await kernel.state())["peak_reset"] is True
    broken = await kernel.run(BREAK_CLEAR_REFS_IN_KERNEL)
    assert broken["status"] == "ok" and broken["method"] == "kernel_hook", broken

    records = [await kernel.run(code) for code in ("y = np.ones(10**8)", "del y", "z = np.ones(10**8)", "del z")]
    for record in records:
        assert record["status"] == "ok" and record["method"] == "kernel_hook_sampled", record
        assert record["rss_peak"] >= max(record["rss_start"], record["rss_end"]), record
    for record, sign in zip(records, (1, -1, 1, -1)):
        assert_close(record["delta"], sign * ONES_1E8_BYTES, 0.01, "delta with a sampled peak")
    state = await kernel.state()
    assert state["hook"] == "active" and state["peak_reset"] is False, state
    assert len(clear_refs_warnings(server_log)) == 1, server_log.ours(logging.WARNING)
    assert server_log.our_errors() == []
    print(f"\nclear_refs refused in the kernel: {records[0]['method']}, y = np.ones(10**8)"
          f" {mib(records[0]['delta']):+.2f} MiB (peak +{mib(records[0]['peak_increment']):.2f}); "
          f"warning: {clear_refs_warnings(server_log)[0]}")


@pytest.mark.parametrize("load_kernel_hook", [False])
async def test_clear_refs_write_fails_in_the_server(jp_serverapp, kernel, server_log):
    exact = await kernel.run("x = np.ones(10**7)")
    assert exact["method"] == "outside_hwm", exact
    # The server keeps the kernel's clear_refs open: a read-only file behind that
    # descriptor makes the server's next write fail for real (EBADF).
    probe = jp_serverapp.web_app.settings["memory_usage_monitor"].get(kernel.kernel_id).watcher.probe
    fd = os.open("/proc/self/statm", os.O_RDONLY)
    try:
        os.dup2(fd, probe._clear_refs_fd)
    finally:
        os.close(fd)
    # Its peak was reset before the write broke; the reset at its end fails.
    last_exact = await kernel.run("a = 1")
    assert last_exact["method"] == "outside_hwm", last_exact

    records = [await kernel.run(code) for code in ("y = np.ones(10**8)", "del y", "z = np.ones(10**8)", "del z")]
    for record in records:
        assert record["status"] == "ok" and record["method"] == "outside_sampled", record
        assert record["rss_peak"] >= max(record["rss_start"], record["rss_end"]), record
    for record, sign in zip(records, (1, -1, 1, -1)):
        assert_close(record["delta"], sign * ONES_1E8_BYTES, 0.02, "delta from outside with a sampled peak")
    state = await kernel.state()
    assert state["hook"] == "disabled" and state["peak_reset"] is False, state
    assert len(clear_refs_warnings(server_log)) == 1, server_log.ours(logging.WARNING)
    assert server_log.our_errors() == []
    print(f"\nclear_refs refused in the server: {records[0]['method']}, y = np.ones(10**8)"
          f" {mib(records[0]['delta']):+.2f} MiB; warning: {clear_refs_warnings(server_log)[0]}")


async def test_a_loader_reply_read_after_its_idle_still_loads_the_hook(jp_fetch, jp_serverapp, monkeypatch):
    """The loader's reply (shell) and its idle (iopub) come on two sockets, in no fixed
    order: a reply read second must still make the hook active, and the cells exact."""
    original = HookControl._on_loader_reply

    def read_late(self, content, status):
        asyncio.get_running_loop().call_later(0.5, original, self, content, status)

    monkeypatch.setattr(HookControl, "_on_loader_reply", read_late)
    kernel = await start_kernel(jp_fetch, jp_serverapp)
    try:
        state = await kernel.wait_for_hook()
        assert state["hook"] == "active", state["hook"]
        await kernel.run("import numpy as np")
        record = await kernel.run("x = np.ones(10**8)")
        assert record["method"] == "kernel_hook", record["method"]
        assert_close(record["delta"], ONES_1E8_BYTES, 0.02, "delta of x = np.ones(10**8)")
    finally:
        kernel.close()
