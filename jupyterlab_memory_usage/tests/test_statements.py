"""Per-statement figures of real cells in real IPython kernels, read through the API."""

import asyncio

import pytest

from .helpers import MIB, ONES_1E8_BYTES, assert_close, kernel_name, kernel_with_numpy, mib, start_kernel  # noqa: F401


@pytest.fixture
def any_kernel(jp_fetch, jp_serverapp, jp_asyncio_loop, kernel_name):
    """An IPython kernel on Python 3.11 and on 3.12: co_lines() and the code objects of
    statements differ between versions."""
    async def start():
        session = await start_kernel(jp_fetch, jp_serverapp, kernel_name)
        assert (await session.wait_for_hook())["hook"] == "active"
        await session.run("import numpy as np")
        return session

    session = jp_asyncio_loop.run_until_complete(start())
    yield session
    session.close()


@pytest.fixture
def kernel(jp_fetch, jp_serverapp, jp_asyncio_loop):
    session = kernel_with_numpy(jp_fetch, jp_serverapp, jp_asyncio_loop, load_kernel_hook=True)
    yield session
    session.close()


def lines(record):
    return [(s["line"], s["end_line"]) for s in record["statements"]]


async def test_each_statement_gets_its_exact_figures(any_kernel):
    record = await any_kernel.run("a = np.ones(10**8)\nb = a * 2\nnp.ones(10**8).sum()\ndel a")
    assert record["status"] == "ok", record
    statements = record["statements"]
    assert lines(record) == [(1, 1), (2, 2), (3, 3), (4, 4)]
    allocated, doubled, temporary, released = statements
    assert_close(allocated["delta"], ONES_1E8_BYTES, 0.02, "delta of line 1")
    assert_close(doubled["delta"], ONES_1E8_BYTES, 0.02, "delta of line 2")
    assert abs(temporary["delta"]) < 16 * MIB, mib(temporary["delta"])
    assert_close(temporary["peak_increment"], ONES_1E8_BYTES, 0.02, "peak of line 3")
    assert_close(released["delta"], -ONES_1E8_BYTES, 0.02, "delta of line 4")
    for s in statements:
        assert s["peak_increment"] >= max(s["delta"], 0), s
        assert s["duration"] >= 0 and "aggregated" not in s, s
    # The cell's figures are the cell's: its end is the last statement's end, and its
    # peak is at least each statement's peak above the cell's start.
    assert abs(statements[-1]["rss_end"] - record["rss_end"]) < 4 * MIB
    for s in statements:
        start_of_statement = s["rss_end"] - s["delta"]
        assert record["rss_peak"] >= start_of_statement + s["peak_increment"] - MIB, (s, record)
    assert_close(record["peak_increment"], 3 * ONES_1E8_BYTES, 0.02, "the cell's peak: a, b and the temporary")
    print("\nper statement: " + ", ".join(
        f"line {s['line']} {mib(s['delta']):+.2f} (peak +{mib(s['peak_increment']):.2f})" for s in statements)
          + f" MiB; cell peak +{mib(record['peak_increment']):.2f} MiB")


async def test_a_loop_is_one_statement_and_magics_are_their_own(any_kernel):
    code = ("\n"  # IPython drops leading blank lines before it compiles: lines count from the cell's top
            "x = np.ones(10**7)\n"
            "for i in range(3):\n"
            "    x = x + 1\n"
            "    y = i\n"
            "%time t = np.ones(10**7)\n"
            "!true\n"
            "def f():\n"
            "    return 1\n"
            "f()")
    record = await any_kernel.run(code)
    assert record["status"] == "ok", record
    assert lines(record) == [(2, 2), (3, 5), (6, 6), (7, 7), (8, 9), (10, 10)]
    assert_close(record["statements"][0]["delta"], 8 * 10**7, 0.03, "x = np.ones(10**7)")
    assert_close(record["statements"][2]["delta"], 8 * 10**7, 0.03, "%time t = np.ones(10**7)")


async def test_a_raising_statement_ends_the_list(kernel):
    record = await kernel.run("r = 1\ns = np.ones(10**7)\n1/0\nnever = np.ones(10**8)")
    assert record["status"] == "error"
    assert lines(record) == [(1, 1), (2, 2), (3, 3)]
    assert_close(record["statements"][1]["delta"], 8 * 10**7, 0.03, "s = np.ones(10**7)")


async def test_an_interrupted_statement_keeps_what_was_measured(jp_fetch, kernel, tmp_path):
    started = tmp_path / "started"
    msg_id = kernel.send(
        "import time\n"
        "u = np.ones(10**7)\n"
        f"open({str(started)!r}, 'w').close()\n"
        "while True: time.sleep(0.01)\n"
        "never = 1"
    )
    for _ in range(600):
        if started.exists():
            break
        await asyncio.sleep(0.05)
    assert started.exists(), "the cell never reached its loop"
    await jp_fetch("api", "kernels", kernel.kernel_id, "interrupt", method="POST", body="")
    (record,) = await kernel.wait_records([msg_id])
    assert record["status"] == "error", record
    assert lines(record) == [(1, 1), (2, 2), (3, 3), (4, 4)]
    assert_close(record["statements"][1]["delta"], 8 * 10**7, 0.03, "u = np.ones(10**7)")


async def test_ten_thousand_statements_give_a_bounded_list(kernel):
    code = "\n".join(f"v{i} = {i}" for i in range(10_000))
    record = await kernel.run(code)
    statements = record["statements"]
    assert len(statements) == 100
    assert lines(record)[:99] == [(i, i) for i in range(1, 100)]
    last = statements[-1]
    assert last["line"] is None and last["end_line"] is None and last["aggregated"] == 9901, last
    assert abs(sum(s["delta"] for s in statements) - (statements[-1]["rss_end"] - (statements[0]["rss_end"]
               - statements[0]["delta"]))) < 4 * MIB
    # The next cell is measured as usual: the hook holds nothing of the long one.
    after = await kernel.run("w = np.ones(10**7)")
    assert lines(after) == [(1, 1)]
    assert_close(after["statements"][0]["delta"], 8 * 10**7, 0.03, "after a long cell")


async def test_the_statements_go_by_iopub_without_a_ring_file(kernel):
    await kernel.run(
        "import jupyterlab_memory_usage.kernel_hook as _k; _k.load_ipython_extension(get_ipython())"
    )
    record = await kernel.run("c = np.ones(10**8)\nd = 1")
    assert lines(record) == [(1, 1), (2, 2)]
    assert_close(record["statements"][0]["delta"], ONES_1E8_BYTES, 0.02, "delta of line 1 by iopub")


@pytest.fixture
def kernel_without_hook(jp_fetch, jp_serverapp, jp_asyncio_loop):
    jp_serverapp.web_app.settings["memory_usage_monitor"].config.load_kernel_hook = False
    session = kernel_with_numpy(jp_fetch, jp_serverapp, jp_asyncio_loop, load_kernel_hook=False)
    yield session
    session.close()


async def test_no_statements_without_the_hook(kernel_without_hook):
    record = await kernel_without_hook.run("e = np.ones(10**7)\nf = 1")
    assert record["status"] == "ok"
    assert record["statements"] is None, record


async def test_the_limit_is_a_setting(jp_fetch, jp_serverapp):
    jp_serverapp.web_app.settings["memory_usage_monitor"].config.max_statements_per_cell = 3
    kernel = await start_kernel(jp_fetch, jp_serverapp)
    try:
        assert (await kernel.wait_for_hook())["hook"] == "active"
        await kernel.run("import numpy as np")
        record = await kernel.run("g = 1\nh = 2\ni = np.ones(10**7)\nj = np.ones(10**7)\nk = 5")
    finally:
        kernel.close()
    assert lines(record) == [(1, 1), (2, 2), (None, None)]
    assert record["statements"][-1]["aggregated"] == 3
    assert_close(record["statements"][-1]["delta"], 2 * 8 * 10**7, 0.03, "the summed entry's delta")
