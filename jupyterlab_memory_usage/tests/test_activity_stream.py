"""The kernel's iopub read through jupyter_server's own activity stream, on a real server:
the server's activity tracking goes on as before, the figures stay exact, and the monitor
follows a stream the server replaces, or falls back to a socket of its own."""

from __future__ import annotations

import asyncio
import time

import pytest

from ..activity import SharedIopub
from .helpers import ONES_1E8_BYTES, assert_close, kernel_with_numpy, reconnect, wait_state


@pytest.fixture
def share_activity_stream():
    return True


@pytest.fixture
def jp_server_config(jp_server_config, share_activity_stream):
    return {**jp_server_config, "MemoryUsage": {"share_activity_stream": share_activity_stream}}


@pytest.fixture
def kernel(jp_fetch, jp_serverapp, jp_asyncio_loop):
    session = kernel_with_numpy(jp_fetch, jp_serverapp, jp_asyncio_loop, True)
    yield session
    session.close()


def monitor_of(serverapp, kernel_id):
    return serverapp.web_app.settings["memory_usage_monitor"].get(kernel_id)


async def shared_monitor(serverapp, kernel_id):
    """The kernel's monitor once it shares the stream: the server watches a new kernel's
    activity only once it has started, after the monitor attached to it."""
    monitor = monitor_of(serverapp, kernel_id)
    await wait_until(lambda: monitor.shared_iopub is not None, "the monitor never shared the activity stream")
    return monitor


async def wait_until(predicate, what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.02)


async def assert_exact(kernel, what: str) -> None:
    record = await kernel.run("x = np.ones(10**8); del x")
    assert record["status"] == "ok" and record["method"] == "kernel_hook", record
    assert_close(record["peak_increment"], ONES_1E8_BYTES, 0.02, f"peak of np.ones(10**8) {what}")


async def test_the_activity_stream_is_shared_and_the_server_still_tracks_activity(jp_serverapp, kernel):
    monitor = await shared_monitor(jp_serverapp, kernel.kernel_id)
    km = jp_serverapp.kernel_manager.get_kernel(kernel.kernel_id)
    assert monitor.iopub is None
    assert monitor.shared_iopub.stream is km._activity_stream

    before = km.last_activity
    states = []
    # The server's own handler still runs first on every message.
    original_track = jp_serverapp.kernel_manager.track_message_type

    def track(message_type):
        states.append(km.execution_state)
        return original_track(message_type)

    jp_serverapp.kernel_manager.track_message_type = track
    try:
        await assert_exact(kernel, "through the shared stream")
    finally:
        jp_serverapp.kernel_manager.track_message_type = original_track
    assert km.last_activity > before
    assert "busy" in states
    await wait_until(lambda: km.execution_state == "idle", "the server never saw the kernel idle")


async def test_a_replaced_activity_stream_is_followed(jp_serverapp, kernel):
    """What the server does when a restart moves a kernel to new ports."""
    mkm = jp_serverapp.kernel_manager
    km = mkm.get_kernel(kernel.kernel_id)
    monitor = await shared_monitor(jp_serverapp, kernel.kernel_id)
    old_stream = km._activity_stream
    mkm.stop_watching_activity(kernel.kernel_id)
    mkm.start_watching_activity(kernel.kernel_id)
    assert km._activity_stream is not old_stream
    await wait_until(lambda: monitor.shared_iopub is not None and monitor.shared_iopub.stream is km._activity_stream,
                     "the monitor never moved to the new activity stream")
    assert monitor.iopub is None
    await assert_exact(kernel, "after the stream was replaced")


async def test_a_restart_keeps_the_stream_shared_and_exact(jp_fetch, jp_serverapp, kernel):
    old_pid = monitor_of(jp_serverapp, kernel.kernel_id).pid
    await jp_fetch("api", "kernels", kernel.kernel_id, "restart", method="POST", body="{}")
    await wait_state(kernel, lambda s: s["pid"] not in (None, old_pid) and s["hook"] == "active",
                     "no restarted kernel with its hook")
    monitor = await shared_monitor(jp_serverapp, kernel.kernel_id)
    assert monitor.iopub is None
    await reconnect(kernel)
    await kernel.run("import numpy as np")
    await assert_exact(kernel, "after a restart")


async def test_a_stale_stream_is_not_shared(jp_serverapp, kernel):
    """A stream connected to other ports than the kernel's (an automatic restart on new
    ports that the server did not rewatch) is left alone: a socket of our own instead."""
    km = jp_serverapp.kernel_manager.get_kernel(kernel.kernel_id)
    await shared_monitor(jp_serverapp, kernel.kernel_id)
    real_iopub_port = km.iopub_port
    km.iopub_port = real_iopub_port + 1
    try:
        assert SharedIopub.attach(km, lambda msg_list: None) is None
    finally:
        km.iopub_port = real_iopub_port
    server_callback = km._activity_stream._recv_callback._jupyterlab_memory_usage_original
    shared = SharedIopub.attach(km, lambda msg_list: None)
    assert shared is not None
    shared.close()
    # Closing gives the server its own callback back, never a chain of callbacks.
    assert km._activity_stream._recv_callback is server_callback
    # The monitor, whose chain that took away, shares the stream again.
    monitor = monitor_of(jp_serverapp, kernel.kernel_id)
    await wait_until(lambda: monitor.shared_iopub is not None and monitor.shared_iopub.is_current(km),
                     "the monitor never shared the stream again", timeout=15)
    await assert_exact(kernel, "after sharing again")


@pytest.mark.parametrize("share_activity_stream", [False])
async def test_a_socket_of_our_own_when_sharing_is_off(jp_serverapp, kernel):
    monitor = monitor_of(jp_serverapp, kernel.kernel_id)
    assert monitor.shared_iopub is None and monitor.iopub is not None
    await assert_exact(kernel, "through a socket of our own")
