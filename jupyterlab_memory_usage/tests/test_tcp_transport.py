"""Kernels on TCP, the transport users have by default (every other test kernel uses
IPC, see conftest.py).

jupyter_client picks a kernel's five ports by binding port 0, closing, and letting the
kernel bind them a second later; meanwhile any outgoing connection of the machine can
take one (both draw from the ephemeral range), and ipykernel then hangs in its bind.
Here the ports come from below the ephemeral range, where the system hands out no port
on its own: only an explicit bind takes one, and nothing else in this test binds there.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

import pytest
from jupyter_client.connect import LocalPortCache

from .helpers import ONES_1E8_BYTES, assert_close, mib, start_kernel


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


class _PortsBelowTheEphemeralRange:
    """Free loopback ports the system itself never hands out, each at most once."""

    def __init__(self) -> None:
        high = _ephemeral_low()
        self.candidates = list(range(max(1024, high - 8000), high))
        random.Random().shuffle(self.candidates)
        self.given: set[int] = set()

    def find_available_port(self, ip: str) -> int:
        while self.candidates:
            port = self.candidates.pop()
            with socket.socket() as probe:
                try:
                    probe.bind((ip, port))
                except OSError:
                    continue
            self.given.add(port)
            return port
        raise RuntimeError("no free port below the ephemeral range")


@pytest.fixture
def jp_server_config(jp_server_config):
    return {**jp_server_config, "KernelManager": {"transport": "tcp"}}


@pytest.fixture
def tcp_ports(monkeypatch):
    ports = _PortsBelowTheEphemeralRange()
    monkeypatch.setattr(LocalPortCache.instance(), "find_available_port", ports.find_available_port)
    return ports


async def test_a_kernel_on_tcp_is_measured_exactly(jp_fetch, jp_serverapp, tcp_ports):
    kernel = await start_kernel(jp_fetch, jp_serverapp)
    try:
        info = jp_serverapp.kernel_manager.get_kernel(kernel.kernel_id).get_connection_info()
        assert info["transport"] == "tcp", info
        assert {info[f"{c}_port"] for c in ("shell", "iopub", "stdin", "hb", "control")} <= tcp_ports.given, info
        state = await kernel.wait_for_hook()
        assert state["hook"] == "active", state
        await kernel.run("import numpy as np")
        allocated = await kernel.run("x = np.ones(10**8)")
        assert allocated["method"] == "kernel_hook", allocated
        assert_close(allocated["delta"], ONES_1E8_BYTES, 0.02, "delta of x = np.ones(10**8) on TCP")
        released = await kernel.run("del x")
        assert_close(released["delta"], -ONES_1E8_BYTES, 0.02, "delta of del x on TCP")
        print(f"\nTCP: x = np.ones(10**8) {mib(allocated['delta']):+.2f} MiB, del x {mib(released['delta']):+.2f} MiB")
    finally:
        kernel.close()
