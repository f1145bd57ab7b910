"""Kernels that die, restart, shut down, or run without the hook, on a real server."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import pytest

from .helpers import (
    ONES_1E8_BYTES,
    assert_close,
    kernel_with_numpy,
    mib,
    real_pid,
    reconnect,
    record_of,
    wait_state,
)

MEMORY_USAGE = ("api", "memory-usage", "kernels")


@pytest.fixture
def load_kernel_hook():
    """Parametrize a test with False to run its server without the in-kernel hook."""
    return True


@pytest.fixture
def jp_server_config(jp_server_config, load_kernel_hook):
    return {**jp_server_config, "MemoryUsage": {"load_kernel_hook": load_kernel_hook}}


@pytest.fixture
def kernel(jp_fetch, jp_serverapp, jp_asyncio_loop, load_kernel_hook):
    session = kernel_with_numpy(jp_fetch, jp_serverapp, jp_asyncio_loop, load_kernel_hook)
    yield session
    session.close()




async def test_sigkill_during_a_cell(jp_serverapp, kernel):
    before = await kernel.state()
    old_pid = before["pid"]
    assert old_pid == real_pid(jp_serverapp, kernel.kernel_id)
    msg_id = kernel.send("import time; x = np.ones(10**8); time.sleep(30)")

    def grown(state):
        record = record_of(state, msg_id)
        return (record is not None and record["status"] == "running" and record["rss_end"] is not None
                and record["rss_end"] - record["rss_start"] > 0.98 * ONES_1E8_BYTES)

    running = record_of(await wait_state(kernel, grown, "the cell never showed its allocation", 30), msg_id)
    # np.ones is still writing its last pages at 98%: kill once the figure holds still.
    deadline = time.monotonic() + 20
    while True:
        await asyncio.sleep(0.3)
        latest = record_of(await kernel.state(), msg_id)
        if latest["rss_end"] == running["rss_end"]:
            break
        assert time.monotonic() < deadline, ("the running cell's rss never settled", latest)
        running = latest
    os.kill(old_pid, signal.SIGKILL)

    state = await wait_state(kernel, lambda s: record_of(s, msg_id)["status"] != "running", "the record never ended", 30)
    died = record_of(state, msg_id)
    assert died["status"] == "died", died
    assert died["exit_signal"] == signal.SIGKILL and died["exit_code"] is None, died
    # 800 MB is far below this machine's memory, and no out-of-memory kill was counted.
    assert died["died_reason"] == "killed", died
    assert died["oom_kills"] == (None if before["oom_kill_count"] is None else 0), (before["oom_kill_count"], died)
    assert died["pid"] == old_pid
    assert died["rss_start"] == running["rss_start"]
    assert_close(died["peak_increment"], ONES_1E8_BYTES, 0.03, "peak of the killed cell")
    assert_close(died["delta"], ONES_1E8_BYTES, 0.03, "delta of the killed cell, up to its death")
    assert died["rss_peak"] >= died["rss_end"] > died["rss_start"]
    assert died["ended"] >= died["started"] and died["duration"] > 0

    # jupyter_server restarts a dead kernel by itself (its restarter polls every 3 s);
    # the monitor follows it, and meanwhile says the kernel is dead, not an idle old PID.
    seen = []

    def restarted(state):
        seen.append((state["pid"], state["execution_state"]))
        return state["pid"] not in (None, old_pid) and state["hook"] == "active"

    state = await wait_state(kernel, restarted, "no restarted kernel with its hook")
    assert all(pid is None and execution_state == "dead" for pid, execution_state in seen
               if pid in (None, old_pid)), sorted(set(seen), key=str)
    assert state["pid"] == real_pid(jp_serverapp, kernel.kernel_id)
    assert state["restarts"] == 1, state["restarts"]
    assert record_of(state, msg_id) == died  # the dead cell's record is kept as it was

    await reconnect(kernel)
    await kernel.run("import numpy as np")
    record = await kernel.run("y = np.ones(10**8)")
    assert record["status"] == "ok" and record["method"] == "kernel_hook"
    assert record["pid"] == state["pid"]
    assert_close(record["delta"], ONES_1E8_BYTES, 0.02, "delta of y = np.ones(10**8) after the restart")
    print(
        f"\nSIGKILL: died, signal {died['exit_signal']}, start {mib(died['rss_start']):.2f}, end {mib(died['rss_end']):.2f},"
        f" peak +{mib(died['peak_increment']):.2f} MiB; restarted as pid {state['pid']} (restarts {state['restarts']}),"
        f" y = np.ones(10**8): {mib(record['delta']):+.2f} MiB"
    )


async def wait_restarted(kernel, old_pid: int) -> dict:
    return await wait_state(
        kernel, lambda s: s["pid"] not in (None, old_pid) and s["hook"] == "active", "no restarted kernel with its hook"
    )


@pytest.mark.parametrize(
    ("code", "exit_code", "exit_signal", "died_reason"),
    [
        ("import os; os._exit(0)", 0, None, "exited"),
        ("import os; os._exit(3)", 3, None, "exited"),
        ("import os, signal; os.kill(os.getpid(), signal.SIGTERM)", None, signal.SIGTERM, "signal"),
    ],
)
async def test_death_during_a_cell_is_named(kernel, code, exit_code, exit_signal, died_reason):
    """A kernel that dies at once often takes its busy and execute_input with it: the
    cell the frontend said it sent is the one that died."""
    old_pid = (await kernel.state())["pid"]
    msg_id = kernel.send(code)
    await kernel.annotate(msg_id, "cell-that-exits")

    def ended(state):
        record = record_of(state, msg_id)
        return record is not None and record["status"] != "running"

    died = record_of(await wait_state(kernel, ended, "the cell's record never ended", 30), msg_id)
    assert died["status"] == "died" and died["cell_id"] == "cell-that-exits", died
    assert died["pid"] == old_pid and died["started"] <= died["ended"], died
    assert (died["exit_code"], died["exit_signal"], died["died_reason"]) == (exit_code, exit_signal, died_reason), died
    assert died["rss_end"] is not None and died["rss_peak"] >= died["rss_end"], died
    state = await wait_restarted(kernel, old_pid)
    assert state["restarts"] == 1
    print(f"\n{code!r}: died, exit code {died['exit_code']}, signal {died['exit_signal']}, reason {died['died_reason']}")


async def test_a_kernel_that_exits_while_idle_leaves_no_died_record(kernel):
    old_pid = (await kernel.state())["pid"]
    # The exit comes after the cell has ended and the kernel has gone idle.
    record = await kernel.run("import os, threading; threading.Timer(1.0, os._exit, (0,)).start()")
    assert record["status"] == "ok", record
    state = await wait_restarted(kernel, old_pid)
    assert state["restarts"] == 1
    statuses = [r["status"] for r in state["executions"]]
    assert statuses and "died" not in statuses and "running" not in statuses, state["executions"]
    assert all(r["died_reason"] is None and r["exit_code"] is None for r in state["executions"])


async def test_restart_through_the_rest_api(jp_fetch, jp_serverapp, kernel):
    before = await kernel.run("x = np.ones(10**8)")
    old_pid = before["pid"]
    response = await jp_fetch("api", "kernels", kernel.kernel_id, "restart", method="POST", body="")
    assert response.code == 200
    state = await wait_state(
        kernel, lambda s: s["pid"] not in (None, old_pid) and s["hook"] == "active", "no restarted kernel with its hook"
    )
    assert state["pid"] == real_pid(jp_serverapp, kernel.kernel_id)
    assert state["restarts"] == 1
    await reconnect(kernel)
    await kernel.run("import numpy as np")
    after = await kernel.run("y = np.ones(10**8)")
    assert after["status"] == "ok" and after["method"] == "kernel_hook" and after["pid"] == state["pid"]
    assert_close(after["delta"], ONES_1E8_BYTES, 0.02, "delta of y = np.ones(10**8) after the restart")
    state = await kernel.state()
    old = record_of(state, before["msg_id"])
    assert old == before and old["pid"] == old_pid
    print(
        f"\nREST restart: pid {old_pid} -> {state['pid']} (restarts {state['restarts']}),"
        f" before {mib(before['delta']):+.2f} MiB, after {mib(after['delta']):+.2f} MiB"
    )


async def test_shutdown_through_the_rest_api(jp_fetch, kernel):
    await kernel.run("a = 1")
    kernel.close()
    response = await jp_fetch("api", "kernels", kernel.kernel_id, method="DELETE")
    assert response.code == 204
    response = await jp_fetch(*MEMORY_USAGE, kernel.kernel_id, raise_error=False)
    assert response.code == 404 and json.loads(response.body)["message"]
    response = await jp_fetch(
        *MEMORY_USAGE, kernel.kernel_id, "executions", method="POST", body=json.dumps({"msg_id": "m"}), raise_error=False
    )
    assert response.code == 404 and json.loads(response.body)["message"]
    listed = json.loads((await jp_fetch(*MEMORY_USAGE)).body)["kernels"]
    assert kernel.kernel_id not in [k["id"] for k in listed]


@pytest.mark.parametrize("load_kernel_hook", [False])
async def test_without_the_hook(kernel):
    state = await kernel.state()
    assert state["hook"] == "disabled" and state["peak_reset"] is True
    allocated = await kernel.run("x = np.ones(10**8)")
    assert allocated["status"] == "ok" and allocated["method"] == "outside_hwm", allocated
    assert_close(allocated["delta"], ONES_1E8_BYTES, 0.02, "delta of x = np.ones(10**8) from outside")
    temporary = await kernel.run("np.ones(10**8).sum()")
    assert temporary["method"] == "outside_hwm", temporary
    assert_close(temporary["peak_increment"], ONES_1E8_BYTES, 0.02, "peak of np.ones(10**8).sum() from outside")
    assert abs(temporary["delta"]) < 16 * 2**20, mib(temporary["delta"])
    print(
        f"\nwithout the hook: x = np.ones(10**8) {mib(allocated['delta']):+.2f} MiB;"
        f" np.ones(10**8).sum() peak +{mib(temporary['peak_increment']):.2f} MiB, delta {mib(temporary['delta']):+.2f} MiB"
    )


class _LocalKernelManager:
    """Just what KernelMonitor reads of a kernel manager, around a real process."""

    kernel_spec = None  # not an IPython kernel: no hook to load

    def __init__(self, process):
        self.provisioner = type("Provisioner", (), {"process": process})()

    def connect_iopub(self):
        raise RuntimeError("no channels in this test")


def test_a_killed_process_is_named_by_its_signal(tmp_path):
    """Killed, a large process is unreadable tens of ms before its status can be
    waited for: the monitor must wait for the status rather than give up."""
    import logging
    import subprocess
    import sys

    from ..config import MemoryUsage
    from ..monitor import KernelMonitor

    code = "import numpy as np, time; a = np.ones(10**8); print('ok', flush=True); time.sleep(60)"
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ok"
        monitor = KernelMonitor("k", _LocalKernelManager(process), MemoryUsage(), logging.getLogger("test"))
        monitor.check_process()
        assert monitor.pid == process.pid and monitor.watcher.probe is not None
        monitor.annotate("m", "cell", "nb.ipynb")
        monitor.tracker.on_busy_message("m", time.time())  # as when the kernel's busy arrives
        record = monitor.history.get("m")
        assert record.status == "running" and record.rss_end > ONES_1E8_BYTES

        os.kill(process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while record.status == "running" and time.monotonic() < deadline:
            monitor.check_process()
            monitor.sample()
        assert record.status == "died" and record.exit_signal == signal.SIGKILL, record
        # 800 MB is far below the machine's memory: a plain kill, not out of memory.
        assert record.died_reason == "killed", record
        assert record.oom_kills in (0, None), record
        assert monitor.pid is None and monitor.watcher.restarts == 0
        assert_close(record.rss_end, record.rss_start, 0.02, "the killed process's last figure")
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()


@pytest.mark.parametrize("pending", [1, 2])
def test_a_death_before_any_busy_names_the_one_pending_cell(pending):
    """With one cell annotated and none seen to start, that cell died; with two, which
    was sent first is unknown, and neither is named."""
    import logging
    import subprocess
    import sys

    from ..config import MemoryUsage
    from ..monitor import KernelMonitor

    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        monitor = KernelMonitor("k", _LocalKernelManager(process), MemoryUsage(), logging.getLogger("test"))
        monitor.check_process()
        assert monitor.pid == process.pid
        for i in range(pending):
            monitor.annotate(f"m{i}", f"cell-{i}", "nb.ipynb")
        process.terminate()
        process.wait()
        monitor.check_process()
        assert monitor.pid is None
        records = list(monitor.history.records())
        if pending == 1:
            (record,) = records
            assert (record.msg_id, record.cell_id, record.status) == ("m0", "cell-0", "died"), record
            assert (record.exit_signal, record.died_reason) == (signal.SIGTERM, "signal"), record
            assert record.rss_end is not None and record.started <= record.ended, record
        else:
            assert records == []
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
