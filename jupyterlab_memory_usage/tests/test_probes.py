"""The probes on a real child process that allocates, frees and dies on command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from ..probes import (
    ProcessGone,
    ProcfsProbe,
    PsutilProbe,
    _psutil_descendants_rss_bytes,
    children_rss_bytes,
    descendants_rss_bytes,
)
from .helpers import MIB, ONES_1E8_BYTES, assert_close, mib

# The child obeys one command per line on stdin and answers "ok" once it is done, so
# every reading below is taken at a known point of its life.
CHILD = r"""
import sys
import numpy as np
held = []
print("ok", flush=True)
for line in sys.stdin:
    command = line.strip()
    if command == "alloc":
        held.append(np.ones(10**8))
    elif command == "temp":
        np.ones(10**8).sum()
    elif command == "free":
        held.clear()
    print("ok", flush=True)
"""


class Child:
    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.pid = self.process.pid
        self._wait_ok()

    def _wait_ok(self) -> None:
        line = self.process.stdout.readline()
        assert line.strip() == "ok", line

    def do(self, command: str) -> None:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        self._wait_ok()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGKILL)

    def wait_zombie(self, timeout: float = 10) -> None:
        """Killed but not yet reaped: its /proc entry stays, with no memory."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(f"/proc/{self.pid}/stat") as f:
                # The state follows the command name, which is in parentheses.
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return
            time.sleep(0.01)
        raise TimeoutError("the child never became a zombie")

    def reap(self) -> int:
        return self.process.wait(timeout=10)

    def close(self) -> None:
        self.kill()
        self.process.wait(timeout=10)
        for stream in (self.process.stdin, self.process.stdout):
            stream.close()


@pytest.fixture
def child():
    child = Child()
    yield child
    child.close()


@pytest.fixture
def procfs_probe(child):
    probe = ProcfsProbe(child.pid)
    yield probe
    probe.close()


def test_procfs_rss_follows_an_allocation(child, procfs_probe):
    before = procfs_probe.rss_bytes()
    child.do("alloc")
    after = procfs_probe.rss_bytes()
    assert_close(after - before, ONES_1E8_BYTES, 0.02, "rss growth of np.ones(10**8)")
    rss, hwm = procfs_probe.rss_and_hwm_bytes()
    # statm and status count the same pages; they differ by what moved in between.
    assert abs(rss - after) < 4 * MIB, (mib(rss), mib(after))
    assert hwm >= rss
    child.do("free")
    assert abs(procfs_probe.rss_bytes() - before) < 8 * MIB
    print(f"\nprocfs: {mib(before):.2f} MiB, +{mib(after - before):.2f} MiB after np.ones(10**8)")


def test_procfs_peak_reset_and_follow(child, procfs_probe):
    assert procfs_probe.can_reset_peak
    child.do("temp")  # np.ones(10**8).sum(): a peak, then nothing left
    rss, hwm = procfs_probe.rss_and_hwm_bytes()
    assert_close(hwm - rss, ONES_1E8_BYTES, 0.02, "high-water mark above rss after a temporary")
    assert procfs_probe.reset_peak() is True
    rss, hwm = procfs_probe.rss_and_hwm_bytes()
    assert 0 <= hwm - rss < 1 * MIB, (mib(rss), mib(hwm))
    child.do("temp")
    _, hwm_after = procfs_probe.rss_and_hwm_bytes()
    assert_close(hwm_after - rss, ONES_1E8_BYTES, 0.02, "high-water mark after a reset and a new temporary")
    print(f"\nprocfs: peak of a temporary +{mib(hwm_after - rss):.2f} MiB after reset")


def test_procfs_after_death(child, procfs_probe):
    child.kill()
    child.wait_zombie()
    with pytest.raises(ProcessGone):
        procfs_probe.rss_bytes()
    with pytest.raises(ProcessGone):
        procfs_probe.rss_and_hwm_bytes()
    assert child.reap() == -signal.SIGKILL
    with pytest.raises(ProcessGone):
        procfs_probe.rss_bytes()
    with pytest.raises(ProcessGone):
        procfs_probe.rss_and_hwm_bytes()
    assert procfs_probe.reset_peak() is False
    assert procfs_probe.can_reset_peak is False
    with pytest.raises(ProcessGone):
        ProcfsProbe(child.pid)


def test_psutil_probe(child, procfs_probe):
    probe = PsutilProbe(child.pid)
    assert probe.can_reset_peak is False
    assert probe.reset_peak() is False
    before = probe.rss_bytes()
    assert abs(before - procfs_probe.rss_bytes()) < 1 * MIB
    child.do("alloc")
    after = probe.rss_bytes()
    assert_close(after - before, ONES_1E8_BYTES, 0.02, "psutil rss growth of np.ones(10**8)")
    assert abs(after - procfs_probe.rss_bytes()) < 1 * MIB
    rss, hwm = probe.rss_and_hwm_bytes()
    assert hwm is None and abs(rss - after) < 1 * MIB
    child.kill()
    child.wait_zombie()
    with pytest.raises(ProcessGone):
        probe.rss_bytes()
    child.reap()
    with pytest.raises(ProcessGone):
        probe.rss_bytes()
    with pytest.raises(ProcessGone):
        PsutilProbe(child.pid)


def test_descendants_from_one_pass_over_the_process_table(child):
    """The children scan reads the table once for all kernels: it must agree with
    psutil's per-process walk, and count grandchildren (here a child of a shell)."""
    shell = subprocess.Popen(["sh", "-c", f"{sys.executable} -c 'import sys; sys.stdin.read()' <&0; :"],
                             stdin=subprocess.PIPE)
    try:
        child.do("alloc")
        me = os.getpid()
        expected = {pid: _psutil_descendants_rss_bytes(pid) for pid in (me, child.pid, shell.pid)}
        got = descendants_rss_bytes([me, child.pid, shell.pid])
        assert got[child.pid] == 0, mib(got[child.pid])
        # Grandchild: the python the shell runs.
        assert got[shell.pid] > 4 * MIB, mib(got[shell.pid])
        assert_close(got[shell.pid], expected[shell.pid], 0.05, "the shell's descendants")
        # This process's descendants: the allocating child (762.94 MiB) and the shell's.
        assert got[me] >= ONES_1E8_BYTES
        assert_close(got[me], expected[me], 0.02, "this test's descendants")
        assert children_rss_bytes(me) == pytest.approx(got[me], rel=0.02)
    finally:
        shell.stdin.close()
        shell.wait(timeout=10)
