"""Kernels beyond IPython-with-the-hook on Linux: another language (bash_kernel), child
processes (a multiprocessing pool), and the psutil probe that systems without /proc use."""

from __future__ import annotations

import json
import sys

import pytest

from .helpers import MIB, ONES_1E8_BYTES, assert_close, mib, start_kernel, wait_state

# Each pool worker holds np.ones(25 * 10**6): 190.73 MiB.
WORKER_BYTES = 8 * 25 * 10**6

# A fork pool whose workers each keep WORKER_BYTES in a global; the cell returns once
# both workers really hold it. Reads /proc itself, not through psutil, so that the truth
# it prints does not come from the code under test.
POOL_CODE = """
import multiprocessing, os, time
def _hold():
    global _held
    _held = np.ones(25 * 10**6)
def _rss(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
pool = multiprocessing.get_context("fork").Pool(2, initializer=_hold)
deadline = time.monotonic() + 60
while any(_rss(p.pid) < 8 * 25 * 10**6 for p in pool._pool):
    assert time.monotonic() < deadline, "the workers never allocated"
    time.sleep(0.05)
# Forked pages keep being touched for a moment after the arrays are full (seconds on a
# loaded machine): the cell ends once the workers' memory has settled, so that the reading
# at its end and the truth read afterwards are of the same state.
_now = lambda: sum(_rss(p.pid) for p in pool._pool)
_before, _after = _now(), (time.sleep(0.5), _now())[1]
while abs(_after - _before) > 0.01 * _after:
    _before, _after = _after, (time.sleep(0.5), _now())[1]
"""
# The workers' resident memory, once settled.
WORKERS_RSS_CODE = """
_before, _after = _now(), (time.sleep(0.5), _now())[1]
while abs(_after - _before) > 0.01 * _after:
    _before, _after = _after, (time.sleep(0.5), _now())[1]
print(_after)
"""


@pytest.fixture
def memory_usage_config():
    return {}


@pytest.fixture
def jp_server_config(jp_server_config, memory_usage_config):
    return {**jp_server_config, "MemoryUsage": {"children_sample_interval_s": 0.5, **memory_usage_config}}


@pytest.fixture
def bash_kernelspec(jp_data_dir):
    """bash_kernel's kernelspec, installed where this test's server looks, so that no
    manual install is needed (what ``python -m bash_kernel.install`` writes)."""
    bash_kernel_install = pytest.importorskip("bash_kernel.install")
    spec_dir = jp_data_dir / "kernels" / "bash"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {**bash_kernel_install.kernel_json, "argv": [sys.executable, "-m", "bash_kernel", "-f", "{connection_file}"]}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    return "bash"


@pytest.fixture
def ipykernel(jp_fetch, jp_serverapp, jp_asyncio_loop):
    session = jp_asyncio_loop.run_until_complete(start_kernel(jp_fetch, jp_serverapp))
    jp_asyncio_loop.run_until_complete(session.wait_for_hook())
    jp_asyncio_loop.run_until_complete(session.run("import numpy as np"))
    yield session
    session.close()


async def _stdout_of(kernel, code: str) -> str:
    msg_id = kernel.send(code)
    out = await kernel.read_stdout(msg_id)
    await kernel.wait_replies([msg_id])
    return out


# ----- bash_kernel --------------------------------------------------------------------


async def test_bash_kernel_memory_held_in_its_bash_child(jp_fetch, jp_serverapp, bash_kernelspec):
    """bash_kernel is a Python process that runs each command in a bash child (pexpect).
    A variable of 300 MB lives in that bash: it shows in children_rss, and the kernel
    process's own figures hardly move."""
    kernel = await start_kernel(jp_fetch, jp_serverapp, name=bash_kernelspec)
    try:
        state = await kernel.wait_for_hook()
        assert state["hook"] == "not_applicable", state
        assert state["method"] == "procfs"
        await kernel.run("true")
        await wait_state(kernel, lambda s: s["children_rss"] is not None, "children never scanned", 10)
        before = await wait_state(kernel, lambda s: s["children_rss"] < 50 * MIB, "bash child too big", 10)

        held = await kernel.run("x=$(head -c 300000000 /dev/zero | tr '\\0' a); echo ${#x}")
        assert held["status"] == "ok", held
        assert held["method"] == "outside_hwm", held
        assert abs(held["delta"]) < 8 * MIB, mib(held["delta"])
        after = await wait_state(kernel, lambda s: s["children_rss"] - before["children_rss"] > 280 * MIB,
                                 "the 300 MB in bash never showed in children_rss", 10)
        grown = after["children_rss"] - before["children_rss"]
        assert grown < 700 * MIB, mib(grown)

        # A command whose memory lives only while it runs, in a subshell: seen by the
        # children scan while it lives (the scan runs every 0.5 s here).
        transient = kernel.send("(y=$(head -c 400000000 /dev/zero | tr '\\0' a); sleep 4)")
        seen = await wait_state(kernel, lambda s: s["children_rss"] - after["children_rss"] > 380 * MIB,
                                "a running subshell's 400 MB never showed in children_rss", 10)
        await kernel.wait_replies([transient])
        (record,) = await kernel.wait_records([transient])
        assert abs(record["delta"]) < 8 * MIB, mib(record["delta"])
        gone = await wait_state(kernel, lambda s: s["children_rss"] - after["children_rss"] < 20 * MIB,
                                "the finished child still counted", 10)
        print(f"\nbash_kernel: kernel delta {mib(held['delta']):+.2f} MiB, bash child "
              f"{mib(before['children_rss']):.1f} -> {mib(after['children_rss']):.1f} MiB; running subshell: "
              f"{mib(seen['children_rss']):.1f} MiB, after {mib(gone['children_rss']):.1f} MiB; "
              f"kernel rss {mib(after['rss']):.1f} MiB")
    finally:
        kernel.close()


# ----- child processes of an IPython kernel -------------------------------------------


async def test_multiprocessing_pool_shows_in_children_rss(ipykernel):
    created = await ipykernel.run(POOL_CODE)
    assert created["status"] == "ok", created
    truth = int(await _stdout_of(ipykernel, WORKERS_RSS_CODE))
    assert truth >= 2 * WORKER_BYTES
    # count_children is off: the cell's figures are the kernel process's own.
    assert abs(created["delta"]) < 32 * MIB, mib(created["delta"])
    # The first scan after the workers allocated (one during the cell may have caught
    # them half way).
    state = await wait_state(ipykernel, lambda s: abs((s["children_rss"] or 0) - truth) <= 0.10 * truth,
                             f"children_rss never came within 10% of the workers' {mib(truth):.1f} MiB", 10)
    # The timeline's samples carry it too (an idle kernel is sampled every 2 s).
    await wait_state(ipykernel, lambda s: max((x["children_rss"] or 0) for x in s["samples"]) >= 2 * WORKER_BYTES,
                     "no sample of the timeline holds the workers' children_rss", 10)

    await ipykernel.run("pool.terminate(); pool.join()")
    after = await wait_state(ipykernel, lambda s: s["children_rss"] < 0.1 * truth,
                             "children_rss stayed after pool.terminate()", 10)
    print(f"\npool of 2 x 190.73 MiB: workers' own rss {mib(truth):.1f} MiB, children_rss "
          f"{mib(state['children_rss']):.1f} MiB; after terminate {mib(after['children_rss']):.1f} MiB")


# ----- the psutil probe, forced on Linux ------------------------------------------------


@pytest.mark.parametrize("memory_usage_config", [{"force_psutil_probe": True, "load_kernel_hook": False}])
async def test_psutil_probe_forced(ipykernel):
    state = await ipykernel.state()
    assert state["method"] == "psutil", state
    assert state["hook"] == "disabled"
    assert state["peak_reset"] is False

    allocated = await ipykernel.run("x = np.ones(10**8)")
    assert allocated["method"] == "outside_sampled", allocated
    assert_close(allocated["delta"], ONES_1E8_BYTES, 0.02, "delta of x = np.ones(10**8), psutil")
    released = await ipykernel.run("del x")
    assert released["method"] == "outside_sampled"
    assert_close(released["delta"], -ONES_1E8_BYTES, 0.02, "delta of del x, psutil")

    temporary = await ipykernel.run("np.ones(10**8).sum()")
    assert temporary["method"] == "outside_sampled", temporary
    assert abs(temporary["delta"]) < 16 * MIB, mib(temporary["delta"])
    # Sampled every 100 ms: it may miss the temporary, never invent more than it.
    assert 0 <= temporary["peak_increment"] <= 1.02 * ONES_1E8_BYTES, mib(temporary["peak_increment"])
    print(f"\npsutil forced: x = np.ones(10**8) {mib(allocated['delta']):+.2f} MiB, del x "
          f"{mib(released['delta']):+.2f} MiB, np.ones(10**8).sum() delta {mib(temporary['delta']):+.2f} "
          f"peak +{mib(temporary['peak_increment']):.2f} MiB (sampled)")


@pytest.mark.parametrize("memory_usage_config", [{"count_children": True}])
@pytest.mark.parametrize("load_hook", [True, False])
async def test_count_children_adds_the_children_at_the_boundaries(jp_fetch, jp_serverapp, memory_usage_config,
                                                                   load_hook):
    jp_serverapp.web_app.settings["memory_usage_monitor"].config.load_kernel_hook = load_hook
    kernel = await start_kernel(jp_fetch, jp_serverapp)
    try:
        state = await kernel.wait_for_hook()
        assert state["hook"] == ("active" if load_hook else "disabled"), state
        await kernel.run("import numpy as np")
        created = await kernel.run(POOL_CODE)
        assert created["status"] == "ok", created
        # Its record awaited before the next cell is sent: the children are read from
        # outside when the server handles a cell's idle, and a next cell already running
        # in the kernel by then (pool.terminate()) would be counted in this one.
        workers_msg_id = kernel.send(WORKERS_RSS_CODE)
        truth = int(await kernel.read_stdout(workers_msg_id))
        await kernel.wait_records([workers_msg_id])
        # The kernel's own delta is a few MiB; the workers came in during the cell.
        assert_close(created["delta"], truth, 0.10, "delta of the cell that starts the pool, children counted")
        assert created["rss_peak"] >= created["rss_end"]
        terminated = await kernel.run("pool.terminate(); pool.join()")
        assert_close(terminated["delta"], -truth, 0.10, "delta of pool.terminate(), children counted")
        assert terminated["peak_increment"] >= 0
        print(f"\ncount_children (hook {state['hook']}): workers' rss {mib(truth):.1f} MiB; start pool "
              f"{mib(created['delta']):+.1f} MiB (peak +{mib(created['peak_increment']):.1f}); terminate "
              f"{mib(terminated['delta']):+.1f} MiB; methods {created['method']}, {terminated['method']}")
    finally:
        kernel.close()
