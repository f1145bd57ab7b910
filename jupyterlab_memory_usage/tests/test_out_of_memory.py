"""A real out-of-memory kill: a kernel in a memory cgroup limited to 1 GiB allocates 2 GiB.

The test makes the cgroup itself (root can, on this machine and in CI), below the
cgroup the tests run in, and starts the kernel through a kernel spec whose command
first moves its own process into it. It skips, saying why, only where no memory cgroup
can be made.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import uuid
from pathlib import Path

import pytest

from .helpers import mib, record_of, start_kernel, wait_state

GIB = 2**30
CGROUP_LIMIT_BYTES = GIB
KERNEL_NAME = "python3-memory-limited"
CGROUP_ROOT = Path("/sys/fs/cgroup")
# Moves this very process into the cgroup, then becomes the kernel (exec keeps the PID,
# and so the cgroup, and the kernel manager's Popen).
LAUNCHER = (
    "import os, sys\n"
    "with open(sys.argv[1], 'w') as f:\n"
    "    f.write(str(os.getpid()))\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'ipykernel_launcher', *sys.argv[2:]])\n"
)


def _own_cgroups() -> dict[str, str]:
    """This process's cgroup paths: "memory" for the v1 memory controller, "v2"."""
    found = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        hierarchy, controllers, path = line.split(":", 2)
        if hierarchy == "0" and controllers == "":
            found["v2"] = path
        elif "memory" in controllers.split(","):
            found["memory"] = path
    return found


def make_memory_cgroup(name: str, limit_bytes: int) -> tuple[Path, str]:
    """A new memory cgroup below this process's own, limited to ``limit_bytes`` with no
    swap to escape to. Raises OSError or RuntimeError saying why it cannot be made."""
    own = _own_cgroups()
    v1_root = CGROUP_ROOT / "memory"
    if "memory" in own and (v1_root / "memory.limit_in_bytes").exists():
        cgroup = v1_root / own["memory"].strip("/") / name
        cgroup.mkdir()
        try:
            (cgroup / "memory.limit_in_bytes").write_text(str(limit_bytes))
            memsw = cgroup / "memory.memsw.limit_in_bytes"
            if memsw.exists():
                memsw.write_text(str(limit_bytes))
        except OSError:
            cgroup.rmdir()
            raise
        return cgroup, "cgroup_v1"
    if "v2" in own and (CGROUP_ROOT / "cgroup.controllers").exists():
        parent = CGROUP_ROOT / own["v2"].strip("/")
        if "memory" not in (parent / "cgroup.subtree_control").read_text().split():
            raise RuntimeError(f"the memory controller is not enabled for the children of {parent}")
        cgroup = parent / name
        cgroup.mkdir()
        try:
            (cgroup / "memory.max").write_text(str(limit_bytes))
            swap = cgroup / "memory.swap.max"
            if swap.exists():
                swap.write_text("0")
        except OSError:
            cgroup.rmdir()
            raise
        return cgroup, "cgroup_v2"
    raise RuntimeError(f"no writable memory cgroup hierarchy under {CGROUP_ROOT} (this process: {own})")


def remove_cgroup(cgroup: Path) -> None:
    """Kill what is left in it (only kernels this test started), then remove it; a
    memory cgroup can be busy for a moment after its last process exits."""
    deadline = time.monotonic() + 30
    while True:
        pids = [int(p) for p in (cgroup / "cgroup.procs").read_text().split()]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            cgroup.rmdir()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def memory_cgroup():
    try:
        cgroup, source = make_memory_cgroup(f"jlmu-test-{uuid.uuid4().hex[:8]}", CGROUP_LIMIT_BYTES)
    except (OSError, RuntimeError) as e:
        reason = f"cannot create a memory cgroup: {e}"
        print(reason)
        pytest.skip(reason)
    print(f"\nmemory cgroup {cgroup} ({source}), limit {mib(CGROUP_LIMIT_BYTES):.0f} MiB")
    yield cgroup, source
    remove_cgroup(cgroup)


@pytest.fixture
def limited_kernelspec(memory_cgroup, jp_data_dir):
    cgroup, _ = memory_cgroup
    spec_dir = jp_data_dir / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-c", LAUNCHER, str(cgroup / "cgroup.procs"), "-f", "{connection_file}"],
        "display_name": "Python 3 (1 GiB)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    return KERNEL_NAME


@pytest.fixture
def jp_server_config(jp_server_config):
    # Limits are read again every second here, not every 30 s, so that a changed limit
    # shows within the test.
    return {**jp_server_config, "MemoryUsage": {"limit_refresh_interval_s": 1.0}}


def cgroup_pids(cgroup: Path) -> list[int]:
    return [int(p) for p in (cgroup / "cgroup.procs").read_text().split()]


async def start_limited_kernel(jp_fetch, jp_serverapp, cgroup: Path, source: str, name: str):
    kernel = await start_kernel(jp_fetch, jp_serverapp, name=name)
    state = await kernel.wait_for_hook()
    assert state["hook"] == "active", state
    assert state["pid"] in cgroup_pids(cgroup), (state["pid"], cgroup_pids(cgroup))
    state = await wait_state(
        kernel, lambda s: s["limit"] == CGROUP_LIMIT_BYTES, "the kernel's cgroup limit never showed", 10
    )
    assert state["limit_source"] == source, state
    return kernel, state


async def test_out_of_memory_kill(memory_cgroup, limited_kernelspec, jp_fetch, jp_serverapp):
    cgroup, source = memory_cgroup
    kernel, state = await start_limited_kernel(jp_fetch, jp_serverapp, cgroup, source, limited_kernelspec)
    try:
        old_pid = state["pid"]
        assert state["oom_kill_count"] == 0, state  # a new cgroup
        listed = json.loads((await jp_fetch("api", "memory-usage", "kernels")).body)["kernels"]
        (summary,) = [k for k in listed if k["id"] == kernel.kernel_id]
        assert (summary["limit"], summary["limit_source"], summary["oom_kill_count"]) == (CGROUP_LIMIT_BYTES, source, 0)

        await kernel.run("import numpy as np")
        msg_id = kernel.send("x = np.ones(2 * 2**27)")  # 2 GiB of float64
        await kernel.annotate(msg_id, "cell-out-of-memory")

        def ended(state):
            record = record_of(state, msg_id)
            return record is not None and record["status"] != "running"

        state = await wait_state(kernel, ended, "the allocating cell never ended", 120)
        died = record_of(state, msg_id)
        assert died["status"] == "died" and died["cell_id"] == "cell-out-of-memory", died
        assert died["exit_signal"] == signal.SIGKILL and died["exit_code"] is None, died
        assert died["died_reason"] == "out_of_memory", died
        assert died["oom_kills"] >= 1, died
        assert died["pid"] == old_pid
        assert died["rss_end"] is not None and died["rss_peak"] >= died["rss_end"], died
        # The figures are the last ones read before the death. The cell's growth is memory
        # charged to the cgroup, so within its limit; the resident memory as a whole may
        # exceed it by pages of shared files charged to the cgroup that read them first.
        assert 0 < died["peak_increment"] <= CGROUP_LIMIT_BYTES, died

        # The server goes on serving, and restarts the kernel, in the same cgroup.
        assert (await jp_fetch("api", "status")).code == 200
        assert (await jp_fetch("api", "memory-usage", "kernels")).code == 200
        state = await wait_state(
            kernel, lambda s: s["pid"] not in (None, old_pid) and s["hook"] == "active", "no restarted kernel", 60
        )
        assert state["restarts"] == 1 and state["pid"] in cgroup_pids(cgroup), state
        state = await wait_state(kernel, lambda s: s["limit"] == CGROUP_LIMIT_BYTES, "no limit after the restart", 10)
        assert state["limit_source"] == source
        # Read with the limit, once the new process is in the cgroup: a restarted process
        # read while its launcher still moves it there is in the parent cgroup, whose
        # count can be 0 (seen once, read right after the death).
        assert state["oom_kill_count"] >= 1, state
        assert record_of(state, msg_id) == died
        kernel.close()
        await kernel.connect()
        after = await kernel.run("y = sum(range(10))")
        assert after["status"] == "ok" and after["pid"] == state["pid"], after
        print(
            f"\nout of memory: limit {mib(state['limit']):.0f} MiB ({source}); before the cell"
            f" {mib(died['rss_start']):.1f} MiB, last rss {mib(died['rss_end']):.1f} MiB, peak"
            f" {mib(died['rss_peak']):.1f} MiB before the death ({died['duration']:.2f} s after the start); signal {died['exit_signal']},"
            f" {died['died_reason']}, oom_kill +{died['oom_kills']} (cgroup count {state['oom_kill_count']});"
            f" restarted as pid {state['pid']}"
        )
    finally:
        kernel.close()
        await jp_fetch("api", "kernels", kernel.kernel_id, method="DELETE")


async def test_limit_follows_its_cgroup(memory_cgroup, limited_kernelspec, jp_fetch, jp_serverapp):
    cgroup, source = memory_cgroup
    kernel, state = await start_limited_kernel(jp_fetch, jp_serverapp, cgroup, source, limited_kernelspec)
    limit_file = cgroup / ("memory.limit_in_bytes" if source == "cgroup_v1" else "memory.max")
    try:
        # v1 accepts a new memory limit only up to its memory+swap limit.
        memsw = cgroup / "memory.memsw.limit_in_bytes"
        if memsw.exists():
            memsw.write_text(str(2 * GIB))
        limit_file.write_text(str(GIB + GIB // 2))
        state = await wait_state(kernel, lambda s: s["limit"] == GIB + GIB // 2, "the raised limit never showed", 10)
        assert state["limit_source"] == source
        limit_file.write_text(str(GIB // 2))
        state = await wait_state(kernel, lambda s: s["limit"] == GIB // 2, "the lowered limit never showed", 10)
        assert state["limit_source"] == source
    finally:
        kernel.close()
        await jp_fetch("api", "kernels", kernel.kernel_id, method="DELETE")
