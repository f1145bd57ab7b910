"""A kernel whose provisioner is not local and holds no process (a remote provisioner's),
read through usage_request over its ZMQ channels: a real ipykernel, whose kernel manager
is shown to the monitor without its process."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from jupyter_client.manager import AsyncKernelManager

from ..config import MemoryUsage
from ..monitor import KernelMonitor
from .helpers import ONES_1E8_BYTES, assert_close, mib


class _RemoteProvisioner:
    """What a provisioner that is not local shows: no process of this machine."""


class _RemoteKernelManager:
    """A real kernel manager, seen as one whose kernel runs elsewhere."""

    kernel_spec = None

    def __init__(self, km: AsyncKernelManager):
        self.provisioner = _RemoteProvisioner()
        self.session = km.session
        self.get_connection_info = km.get_connection_info


async def _ticks_until(monitor: KernelMonitor, predicate, what: str, timeout: float = 60) -> None:
    """Run the monitor as MemoryMonitor's tick does (every 0.1 s) until ``predicate()``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what}: {monitor.state()}"
        monitor.check_process()
        monitor.sample()
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("load_kernel_hook", [True, False])
async def test_kernel_without_a_local_process_over_zmq(jp_runtime_dir, load_kernel_hook):
    # On IPC, like every test kernel (see conftest.py).
    km = AsyncKernelManager(kernel_name="python3", transport="ipc",
                            connection_file=str(jp_runtime_dir / "kernel-remote.json"))
    await km.start_kernel()
    client = km.client()
    client.start_channels()
    monitor = KernelMonitor("k", _RemoteKernelManager(km), MemoryUsage(load_kernel_hook=load_kernel_hook),
                            logging.getLogger("test"))
    try:
        await client.wait_for_ready(timeout=60)
        await _ticks_until(monitor, lambda: monitor.state()["method"] == "usage_request", "never read")
        state = monitor.state()
        assert state["pid"] is None and state["reason"] is None and state["rss"] > 0, state
        if load_kernel_hook:
            # Sent through the remote channel's own shell: the cells' figures are the hook's.
            await _ticks_until(monitor, lambda: monitor.state()["hook"] == "active", "the hook never loaded", 60)
        method, tolerance = ("kernel_hook_remote", 0.02) if load_kernel_hook else ("usage_request_sampled", 0.10)

        async def run(code: str) -> dict:
            msg_id = client.execute(code)
            await _ticks_until(monitor, lambda: (r := monitor.history.get(msg_id)) is not None
                               and r.status != "running", f"{code} never recorded", 120)
            return monitor.history.get(msg_id).to_json()

        await run("import numpy as np")
        allocated = await run("x = np.ones(10**8)")
        assert allocated["status"] == "ok" and allocated["method"] == method, allocated
        assert_close(allocated["delta"], ONES_1E8_BYTES, tolerance, "delta of x = np.ones(10**8) over ZMQ")
        released = await run("del x")
        assert_close(released["delta"], -ONES_1E8_BYTES, tolerance, "delta of del x over ZMQ")
        print(f"\nno local process, over ZMQ ({method}): x = np.ones(10**8) {mib(allocated['delta']):+.2f} MiB, "
              f"del x {mib(released['delta']):+.2f} MiB")
    finally:
        monitor.dispose()
        assert monitor.remote.client is None
        client.stop_channels()
        await km.shutdown_kernel(now=True)
