"""The kernel's iopub read through jupyter_server's own activity stream, on a real server:
the server's activity tracking goes on as before, the figures stay exact, and the monitor
follows a stream the server replaces, or falls back to a socket of its own."""

from __future__ import annotations

import asyncio
import time

import pytest
import zmq

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
    await wait_until(lambda: only_shared(monitor), "the monitor never shared the activity stream alone")
    return monitor


def only_shared(monitor, km=None) -> bool:
    """Reading the shared stream (the kernel's current one, if km is given), its own
    socket closed (it stays open a moment after the move)."""
    shared = monitor.source.shared_iopub
    return shared is not None and monitor.source.iopub is None and (km is None or shared.is_current(km))


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
    assert monitor.source.iopub is None
    assert monitor.source.shared_iopub.stream is km._activity_stream

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
    await wait_until(lambda: only_shared(monitor, km), "the monitor never moved to the new activity stream")
    assert monitor.source.shared_iopub.stream is km._activity_stream
    await assert_exact(kernel, "after the stream was replaced")


async def test_a_restart_keeps_the_stream_shared_and_exact(jp_fetch, jp_serverapp, kernel):
    old_pid = monitor_of(jp_serverapp, kernel.kernel_id).pid
    await jp_fetch("api", "kernels", kernel.kernel_id, "restart", method="POST", body="{}")
    await wait_state(kernel, lambda s: s["pid"] not in (None, old_pid) and s["hook"] == "active",
                     "no restarted kernel with its hook")
    monitor = await shared_monitor(jp_serverapp, kernel.kernel_id)
    assert monitor.source.iopub is None
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
    await wait_until(lambda: only_shared(monitor, km), "the monitor never shared the stream again", timeout=15)
    await assert_exact(kernel, "after sharing again")


@pytest.mark.parametrize("share_activity_stream", [False])
async def test_a_socket_of_our_own_when_sharing_is_off(jp_serverapp, kernel):
    monitor = monitor_of(jp_serverapp, kernel.kernel_id)
    assert monitor.source.shared_iopub is None and monitor.source.iopub is not None
    await assert_exact(kernel, "through a socket of our own")


class _LaggingIopub:
    """A real subscriber to the kernel's iopub whose messages reach the monitor 0.2 s
    late: our own socket when the server's stream happens to be ahead of it."""

    LAG_S = 0.2

    def __init__(self, km):
        from zmq.eventloop.zmqstream import ZMQStream

        self.upstream = km.connect_iopub()
        self.publisher = km.context.socket(zmq.PUB, socket_class=zmq.Socket)
        port = self.publisher.bind_to_random_port("tcp://127.0.0.1")
        subscriber = km.context.socket(zmq.SUB, socket_class=zmq.Socket)
        subscriber.setsockopt(zmq.SUBSCRIBE, b"")
        subscriber.connect(f"tcp://127.0.0.1:{port}")
        self.stream = ZMQStream(subscriber)
        self.delivered = 0
        loop = asyncio.get_event_loop()
        self.upstream.on_recv(lambda parts: loop.call_later(self.LAG_S, self._forward, parts))

    def _forward(self, parts):
        if not self.publisher.closed:
            self.publisher.send_multipart(parts)
            self.delivered += 1

    def close(self):
        self.upstream.close(linger=0)
        self.publisher.close(linger=0)


async def test_a_message_on_its_way_to_our_own_socket_when_the_monitor_moves_to_the_shared_stream(
        jp_serverapp, kernel):
    """A kernel's first cell often runs while the monitor still reads a socket of its own
    (the server watches a new kernel only once it has started). What the server's stream
    handled before our callback joined it may not have reached our socket yet: the cell
    must still be recorded, each message handled once."""
    km = jp_serverapp.kernel_manager.get_kernel(kernel.kernel_id)
    monitor = await shared_monitor(jp_serverapp, kernel.kernel_id)
    lagging = _LaggingIopub(km)
    try:
        monitor.source.shared_iopub.close()
        monitor.source.shared_iopub = None
        monitor.source.iopub = lagging.stream
        monitor.source.iopub.on_recv(monitor.source.on_frames)
        # Both subscriptions in place once a message has come all the way through (a
        # kernel_info_request makes the kernel publish its busy and idle).
        delivered = lagging.delivered
        deadline = time.monotonic() + 30
        while lagging.delivered == delivered:
            assert time.monotonic() < deadline, "no iopub message ever came through the lagging socket"
            kernel.client.kernel_info()
            await asyncio.sleep(0.1)
        msg_id = kernel.send("import time; time.sleep(0.5); x = np.ones(10**8)")
        # The server's stream has handled the cell's busy; our socket will, 0.2 s later.
        await wait_until(lambda: km.execution_state == "busy", "the server never saw the cell start")
        monitor.source.share_retry_monotonic = 0.0
        monitor.check_process()
        assert monitor.source.shared_iopub is not None
        await kernel.wait_replies([msg_id])
        (record,) = await kernel.wait_records([msg_id], timeout=10)
        assert record["status"] == "ok" and record["method"] == "kernel_hook", record
        assert_close(record["delta"], ONES_1E8_BYTES, 0.02, "delta of a cell begun during the move")
        # The moment past, our own socket is closed.
        await wait_until(lambda: only_shared(monitor, km), "our own socket was never closed")
        # And each message was handled once: the next cell is recorded once, exactly.
        assert_close((await kernel.run("del x"))["delta"], -ONES_1E8_BYTES, 0.02, "delta of del x")
        assert len([r for r in (await kernel.state())["executions"] if r["msg_id"] == msg_id]) == 1
    finally:
        lagging.close()
