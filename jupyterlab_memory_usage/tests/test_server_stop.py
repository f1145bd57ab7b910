"""A server stopped while a cell runs: the cell ends in a clear state, is saved, and the
next server (same database) serves it.

The tests of this module run in order, each on a server of its own with the same
database, as one machine from one day to the next.
"""

import json
import time

import pytest

from .helpers import ONES_1E8_BYTES, ServerLog, assert_close, mib, record_of, start_kernel, wait_state

NOTEBOOK = "analysis/stopped.ipynb"


@pytest.fixture
def jp_server_config(jp_server_config, tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "server-stop" / "records.sqlite3"
    return {**jp_server_config, "MemoryUsage": {"database_path": str(path)}}


async def earlier(jp_fetch):
    response = await jp_fetch("api", "memory-usage", "notebooks", params={"path": NOTEBOOK})
    return json.loads(response.body)["executions"]


async def test_a_server_stopped_during_a_cell(jp_fetch, jp_serverapp):
    log = ServerLog()
    kernel = await start_kernel(jp_fetch, jp_serverapp)
    try:
        assert (await kernel.wait_for_hook())["hook"] == "active"
        await kernel.run("import numpy as np, time")
        msg_id = kernel.send("x = np.ones(10**8); time.sleep(120)")
        await kernel.annotate(msg_id, "cell-running", NOTEBOOK)

        def allocated(state):
            record = record_of(state, msg_id)
            return (record is not None and record["status"] == "running"
                    and record["rss_end"] - record["rss_start"] >= 0.99 * ONES_1E8_BYTES)

        running = record_of(await wait_state(kernel, allocated, "the cell never showed its allocation", 60), msg_id)
        pid = running["pid"]
        kernel.close()
        # What the server does when it stops: its extensions first, then its kernels.
        await jp_serverapp.cleanup_extensions()
        await jp_serverapp.cleanup_kernels()
        assert jp_serverapp.kernel_manager.list_kernel_ids() == []
        assert log.our_errors() == []
        print(f"\nserver stopped during the cell (kernel pid {pid}, +{mib(running['delta']):.2f} MiB so far)")
    finally:
        kernel.close()
        log.close()


async def test_the_next_server_serves_the_stopped_cell(jp_fetch):
    runs = await earlier(jp_fetch)
    assert [r["cell_id"] for r in runs] == ["cell-running"], runs
    (record,) = runs
    assert record["status"] == "died" and record["died_reason"] == "server_stopped", record
    assert record["exit_code"] is None and record["exit_signal"] is None, record
    assert record["notebook_path"] == NOTEBOOK and record["execution_count"] == 2, record
    assert record["started"] <= record["ended"] <= time.time() and record["duration"] > 0, record
    assert_close(record["delta"], ONES_1E8_BYTES, 0.01, "delta of the cell the server stopped in")
    assert record["rss_peak"] >= record["rss_end"], record
    print(f"\nafter the restart: {record['status']} ({record['died_reason']}), {mib(record['delta']):+.2f} MiB,"
          f" peak +{mib(record['peak_increment']):.2f} MiB, {record['duration']:.1f} s")
