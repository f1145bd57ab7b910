"""The Variables list through the API, in real kernels: sizes counted once, the cell
that bound each name, the time budget, a busy kernel, kernels without the hook."""

import asyncio
import time

import pytest

from .helpers import ONES_1E8_BYTES, assert_close, kernel_name, mib, start_kernel  # noqa: F401 - a fixture
from .test_any_kernel import bash_kernelspec  # noqa: F401 - a fixture
from .test_routes import MEMORY_USAGE, fetch_json, kernel  # noqa: F401 - a fixture

pytest.importorskip("pandas")

CELLS = [
    ("cell-import", "import numpy as np, pandas as pd"),
    ("cell-a", "a = np.ones(10**8)"),
    ("cell-v", "v = a[::2]"),
    ("cell-d", 'd = {"k": a, "blob": bytes(10**7)}'),
    ("cell-l", "l = [bytes(1000) for _ in range(10**5)]"),
    ("cell-df", 'df = pd.DataFrame({"x": np.ones(10**7), "s": ["abc"] * 10**7})'),
    ("cell-alias", "same = a"),
]


async def variables(jp_fetch, kernel_id):
    return await fetch_json(jp_fetch, *MEMORY_USAGE, kernel_id, "variables")


async def run_cells(kernel, cells):
    records = {}
    for cell_id, code in cells:
        msg_id = kernel.send(code, cell_id=cell_id)
        await kernel.annotate(msg_id, cell_id)
        await kernel.wait_replies([msg_id])
        (records[cell_id],) = await kernel.wait_records([msg_id])
        assert records[cell_id]["status"] == "ok", records[cell_id]
    return records


async def printed(kernel, code):
    """What a cell prints; it binds no name (``__import__``, no assignment)."""
    msg_id = kernel.send(code)
    out = await kernel.read_stdout(msg_id)
    await kernel.wait_replies([msg_id])
    return out.strip()


NAMES = "print(sorted(n for n in globals() if not n.startswith('_')))"


async def test_each_object_counted_once_with_the_cell_that_bound_it(jp_fetch, kernel):
    records = await run_cells(kernel, CELLS)
    list_bytes = int(await printed(kernel, "print(__import__('sys').getsizeof(l) + "
                                           "sum(map(__import__('sys').getsizeof, l)))"))
    frame_bytes = int(await printed(kernel, "print(df.memory_usage(deep=True).sum())"))
    names_before = await printed(kernel, NAMES)
    count_before = (await kernel.run("pass"))["execution_count"]

    started = time.monotonic()
    code, answer = await variables(jp_fetch, kernel.kernel_id)
    took_s = time.monotonic() - started
    assert code == 200, answer
    assert answer["kernel_id"] == kernel.kernel_id and answer["stale"] is False and answer["complete"] is True
    by_name = {v["name"]: v for v in answer["variables"]}
    assert set(by_name) == {"a", "v", "d", "l", "df", "same"}, list(by_name)  # no module, no IPython name
    a, v, d, lst, df, same = (by_name[n] for n in ("a", "v", "d", "l", "df", "same"))
    assert_close(a["size"], ONES_1E8_BYTES, 0.02, "a = np.ones(10**8)")
    assert (a["type"], a["shape"], a["dtype"], a["view_of"]) == ("ndarray", [10**8], "float64", None), a
    assert v["view_of"] == "a" and v["size"] < 4096 and v["shape"] == [5 * 10**7], v
    assert same["view_of"] == "a" and same["size"] == 0, same
    assert_close(d["size"], 10**7, 0.02, "d: its bytes, the array counted in a")
    assert d["length"] == 2 and d["type"] == "dict", d
    assert_close(lst["size"], list_bytes, 0.03, "l against its getsizeof sum")
    assert lst["length"] == 10**5, lst
    assert_close(df["size"], frame_bytes, 0.02, "df against memory_usage(deep=True)")
    assert df["shape"] == [10**7, 2] and df["type"] == "DataFrame", df
    for cell_id, name in (("cell-a", "a"), ("cell-v", "v"), ("cell-d", "d"), ("cell-l", "l"), ("cell-df", "df"),
                          ("cell-alias", "same")):
        assert by_name[name]["cell_id"] == cell_id, by_name[name]
        assert by_name[name]["execution_count"] == records[cell_id]["execution_count"], by_name[name]
    assert [x["name"] for x in answer["variables"]][:2] == ["a", "df"], answer["variables"]
    assert answer["total_size"] == sum(x["size"] for x in answer["variables"])
    assert answer["total_size"] <= answer["rss"], answer
    assert answer["sized_in_s"] < answer["budget_s"] == 0.2, answer
    # The user's namespace and execution count are untouched.
    assert await printed(kernel, NAMES) == names_before
    assert (await kernel.run("pass"))["execution_count"] == count_before + 2  # the NAMES cell, then this one
    print(f"\nsized {len(by_name)} variables in {answer['sized_in_s'] * 1e3:.1f} ms in the kernel, "
          f"{took_s * 1e3:.1f} ms through the route; a {mib(a['size']):.2f}, d {mib(d['size']):.2f}, "
          f"l {mib(lst['size']):.2f}, df {mib(df['size']):.2f} MiB")

    # With a gone, the view is what holds its buffer.
    await run_cells(kernel, [("cell-del", "del a, same")])
    code, answer = await variables(jp_fetch, kernel.kernel_id)
    by_name = {v["name"]: v for v in answer["variables"]}
    assert "a" not in by_name and by_name["v"]["view_of"] is None, by_name["v"]
    assert_close(by_name["v"]["size"], ONES_1E8_BYTES, 0.02, "v, the last holder of a's buffer")
    assert_close(by_name["d"]["size"], 10**7, 0.02, "d, still not counting the array v counts")


async def test_sizing_stops_at_its_budget_and_the_kernel_answers_at_once(jp_fetch, kernel):
    # Two million small objects in nested lists: more than the sizer walks in 0.2 s.
    await kernel.run("nested = [[object() for _ in range(10)] for _ in range(2 * 10**5)]\nsmall = [1, 2, 3]")
    started = time.monotonic()
    code, answer = await variables(jp_fetch, kernel.kernel_id)
    took_s = time.monotonic() - started
    assert code == 200, answer
    by_name = {v["name"]: v for v in answer["variables"]}
    assert answer["complete"] is False, answer
    assert answer["sized_in_s"] <= answer["budget_s"] + 0.05, answer
    assert by_name["nested"]["size"] is None and by_name["nested"]["length"] == 2 * 10**5, by_name
    # Listed, unsized, after whatever was sized.
    assert answer["variables"][-1]["size"] is None
    started_cell = time.monotonic()
    record = await kernel.run("x = 1")
    assert record["status"] == "ok" and time.monotonic() - started_cell < 2.0
    print(f"\nstopped after {answer['sized_in_s'] * 1e3:.1f} ms in the kernel ({took_s * 1e3:.1f} ms through "
          f"the route); the next cell answered in {(time.monotonic() - started_cell) * 1e3:.0f} ms")


async def test_a_busy_kernel_answers_its_last_list_as_stale(jp_fetch, kernel):
    sleeping = kernel.send("__import__('time').sleep(3)")
    await asyncio.sleep(0.5)
    code, answer = await variables(jp_fetch, kernel.kernel_id)
    assert code == 200 and answer["stale"] is True and answer["variables"] is None, answer
    await kernel.wait_replies([sleeping])
    await kernel.wait_records([sleeping])
    await kernel.run("big = bytes(10**7)")
    code, fresh = await variables(jp_fetch, kernel.kernel_id)
    assert code == 200 and fresh["stale"] is False and fresh["variables"][0]["name"] == "big", fresh

    sleeping = kernel.send("__import__('time').sleep(3)\nbig = None")
    await asyncio.sleep(0.5)
    code, stale = await variables(jp_fetch, kernel.kernel_id)
    assert code == 200 and stale["stale"] is True, stale
    assert stale["variables"] == fresh["variables"] and stale["as_of"] == fresh["as_of"], stale
    await kernel.wait_replies([sleeping])


async def test_kernels_without_a_hook_say_why(jp_fetch, jp_serverapp, bash_kernelspec):  # noqa: F811
    kernel = await start_kernel(jp_fetch, jp_serverapp, bash_kernelspec)
    try:
        state = await kernel.wait_for_hook()
        assert state["hook"] == "not_applicable", state
        code, body = await variables(jp_fetch, kernel.kernel_id)
        assert code == 409 and "IPython kernels only" in body["message"], body
    finally:
        kernel.close()


async def test_sized_alike_on_each_python(jp_fetch, jp_serverapp, kernel_name):
    """The sizer and the bindings as the hook's loader sends them, in a 3.11 and a 3.12
    kernel (the latter without pandas: nothing is imported to size anything)."""
    session = await start_kernel(jp_fetch, jp_serverapp, kernel_name)
    try:
        assert (await session.wait_for_hook())["hook"] == "active"
        records = await run_cells(session, [("cell-np", "import numpy as np"),
                                            ("cell-x", "x = np.ones(10**8)\ny = {'x': x, 'tail': x[-10:]}")])
        code, answer = await variables(jp_fetch, session.kernel_id)
        assert code == 200 and answer["complete"] is True, answer
        by_name = {v["name"]: v for v in answer["variables"]}
        assert set(by_name) == {"x", "y"}, by_name
        assert_close(by_name["x"]["size"], ONES_1E8_BYTES, 0.02, f"x on {kernel_name}")
        assert by_name["y"]["size"] < 4096, by_name["y"]
        assert by_name["x"]["execution_count"] == by_name["y"]["execution_count"] == records["cell-x"]["execution_count"]
        modules = await printed(session, "print(sorted(m for m in ('pandas', 'polars', 'pyarrow', 'torch') "
                                         "if m in __import__('sys').modules))")
        assert modules == "[]", modules
    finally:
        session.close()
