"""Line-by-line profiles of a cell's run, asked for through the API, in real IPython
kernels: sys.settrace on Python 3.11, sys.monitoring on 3.12 (where the machine has one:
scripts/setup.sh --with-browser-tests makes .venv-py312)."""

import json

from .helpers import ONES_1E8_BYTES, assert_close, kernel_name, mib, start_kernel  # noqa: F401 - a fixture

MEMORY_USAGE = ("api", "memory-usage")
DEFINITION = "\ndef build(n):\n    a = np.ones(n)\n    b = a * 2\n    del a\n    return b\n"
# Line 1's peak is reached on the last line of its statement, before the next one's start.
PROFILED = "t = np.ones(10**8).sum()\nr = build(10**8)\nfor i in range(3):\n    s = i\n"


async def arm(jp_fetch, kernel_id, cell_id, method="POST"):
    body = json.dumps({"cell_id": cell_id}) if method == "POST" else None
    response = await jp_fetch(*MEMORY_USAGE, "kernels", kernel_id, "line-profile", method=method, body=body,
                              raise_error=False, allow_nonstandard_methods=True)
    return response.code, json.loads(response.body)


async def run_cell(kernel, code, cell_id):
    msg_id = kernel.send(code, cell_id=cell_id)
    await kernel.annotate(msg_id, cell_id)
    (record,) = await kernel.wait_records([msg_id])
    return record


async def test_a_cells_next_run_profiled_line_by_line(jp_fetch, jp_serverapp, kernel_name):
    kernel = await start_kernel(jp_fetch, jp_serverapp, kernel_name)
    try:
        assert (await kernel.wait_for_hook())["hook"] == "active"
        await run_cell(kernel, "import numpy as np", "cell-import")
        defined = await run_cell(kernel, DEFINITION, "cell-def")
        code, armed = await arm(jp_fetch, kernel.kernel_id, "cell-run")
        assert code == 200, armed
        backend = "sys.monitoring" if kernel_name == "python3.12" else "settrace"
        assert armed["line_profile_armed"] == "cell-run" and armed["line_profile_backend"] == backend, armed
        other = await run_cell(kernel, "z = 1", "cell-other")  # not the armed cell
        assert other["line_profile"] is None
        record = await run_cell(kernel, PROFILED, "cell-run")
        profile = record["line_profile"]
        assert profile["error"] is None and profile["backend"] == backend, profile
        cells = {cell["cell_id"]: cell for cell in profile["cells"]}
        assert set(cells) == {"cell-def", "cell-run"}, profile
        assert cells["cell-def"]["execution_count"] == defined["execution_count"]
        lines = {entry["line"]: entry for entry in cells["cell-def"]["lines"]}
        # The cell's lines as typed: its first line is blank.
        assert sorted(lines) == [3, 4, 5, 6], lines
        assert_close(lines[3]["delta"], ONES_1E8_BYTES, 0.02, "a = np.ones(n)")
        assert_close(lines[4]["delta"], ONES_1E8_BYTES, 0.02, "b = a * 2")
        assert_close(lines[4]["peak_increment"], ONES_1E8_BYTES, 0.02, "peak of b = a * 2")
        assert_close(lines[5]["delta"], -ONES_1E8_BYTES, 0.02, "del a")
        assert all(entry["hits"] == 1 for entry in lines.values())
        run_lines = {entry["line"]: entry for entry in cells["cell-run"]["lines"]}
        assert {line: e["hits"] for line, e in run_lines.items()} == {1: 1, 2: 1, 3: 4, 4: 3}, run_lines
        assert_close(run_lines[1]["peak_increment"], ONES_1E8_BYTES, 0.02, "peak of t = np.ones(10**8).sum()")
        assert profile["events"] >= 12 and profile["overhead"] > 0, profile
        # The cell's own figures stay exact though the profiler resets the peak at every line.
        assert_close(record["delta"], ONES_1E8_BYTES, 0.02, "the profiled cell's delta")
        assert_close(record["peak_increment"], 2 * ONES_1E8_BYTES, 0.02, "the profiled cell's peak")
        assert_close(record["statements"][0]["peak_increment"], ONES_1E8_BYTES, 0.02, "its first statement's peak")
        assert_close(record["statements"][1]["peak_increment"], 2 * ONES_1E8_BYTES, 0.02, "its second's peak")
        state = await kernel.state()
        assert state["line_profile_armed"] is None, state
        again = await run_cell(kernel, "del r", "cell-run")
        assert again["line_profile"] is None
        print(f"\n{backend}: a = np.ones(n) {mib(lines[3]['delta']):+.2f}, b = a * 2 {mib(lines[4]['delta']):+.2f}, "
              f"del a {mib(lines[5]['delta']):+.2f} MiB; {profile['events']} line events, about "
              f"{profile['overhead'] * 1e3:.1f} ms of profiling in {profile['duration']:.2f} s")
    finally:
        kernel.close()


async def test_arming_asks_for_a_hook_and_a_cell_id(jp_fetch, jp_serverapp):
    kernel = await start_kernel(jp_fetch, jp_serverapp)
    try:
        await kernel.wait_for_hook()
        assert (await arm(jp_fetch, kernel.kernel_id, ""))[0] == 400
        assert (await arm(jp_fetch, kernel.kernel_id, 5))[0] == 400
        assert (await arm(jp_fetch, kernel.kernel_id, "x" * 300))[0] == 400
        assert (await arm(jp_fetch, "no-such-kernel", "c"))[0] == 404
        code, armed = await arm(jp_fetch, kernel.kernel_id, None)  # the next cell, whichever
        assert code == 200 and armed["line_profile_armed"] == "", armed
        code, disarmed = await arm(jp_fetch, kernel.kernel_id, None, method="DELETE")
        assert code == 200 and disarmed["line_profile_armed"] is None, disarmed
        record = await run_cell(kernel, "y = 1", "cell-y")
        assert record["line_profile"] is None
        code, armed = await arm(jp_fetch, kernel.kernel_id, None)
        record = await run_cell(kernel, "y = 2", "cell-any")
        assert [c["cell_id"] for c in record["line_profile"]["cells"]] == ["cell-any"], record["line_profile"]
    finally:
        kernel.close()
    jp_serverapp.web_app.settings["memory_usage_monitor"].config.load_kernel_hook = False
    without = await start_kernel(jp_fetch, jp_serverapp)
    try:
        assert (await without.wait_for_hook())["hook"] == "disabled"
        code, body = await arm(jp_fetch, without.kernel_id, "c")
        assert code == 409 and "needs the in-kernel hook" in body["message"], body
    finally:
        without.close()
