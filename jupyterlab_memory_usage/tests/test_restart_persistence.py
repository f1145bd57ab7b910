"""Records of notebook cells outlive the kernel and the server."""

import json

import pytest
from tornado.httpclient import AsyncHTTPClient

from .helpers import ONES_1E8_BYTES, assert_close, start_kernel

MEMORY_USAGE = ("api", "memory-usage")


@pytest.fixture
def jp_server_config(jp_server_config, tmp_path_factory):
    # One database for every server of a test, as on one machine from day to day.
    path = tmp_path_factory.getbasetemp() / "persisted" / "records.sqlite3"
    return {**jp_server_config, "MemoryUsage": {"database_path": str(path)}}


@pytest.fixture
def kernel(jp_fetch, jp_serverapp, jp_asyncio_loop):
    session = jp_asyncio_loop.run_until_complete(start_kernel(jp_fetch, jp_serverapp))
    jp_asyncio_loop.run_until_complete(session.wait_for_hook())
    jp_asyncio_loop.run_until_complete(session.run("import numpy as np"))
    yield session
    session.close()


async def annotated_run(jp_fetch, kernel, code, cell_id, path="analysis/day1.ipynb"):
    msg_id = kernel.send(code)
    await jp_fetch(*MEMORY_USAGE, "kernels", kernel.kernel_id, "executions", method="POST",
                   body=json.dumps({"msg_id": msg_id, "cell_id": cell_id, "notebook_path": path}))
    await kernel.wait_replies([msg_id])
    (record,) = await kernel.wait_records([msg_id])
    return record


async def earlier(jp_fetch, path="analysis/day1.ipynb"):
    response = await jp_fetch(*MEMORY_USAGE, "notebooks", params={"path": path})
    return json.loads(response.body)["executions"]


async def test_runs_are_kept_after_the_kernel_is_gone(jp_fetch, kernel):
    first = await annotated_run(jp_fetch, kernel, "x = np.ones(10**8)", "cell-x")
    await annotated_run(jp_fetch, kernel, "y = 1", "cell-y")
    await annotated_run(jp_fetch, kernel, "x2 = np.ones(10**8)", "cell-x")
    await jp_fetch("api", "kernels", kernel.kernel_id, method="DELETE")
    runs = await earlier(jp_fetch)
    assert {r["cell_id"] for r in runs} == {"cell-x", "cell-y"}
    (kept,) = [r for r in runs if r["msg_id"] == first["msg_id"]]
    assert_close(kept["delta"], ONES_1E8_BYTES, 0.02, "persisted delta")
    assert kept["status"] == "ok" and kept["notebook_path"] == "analysis/day1.ipynb"
    assert kept["statements"] == first["statements"] and len(kept["statements"]) == 1
    assert await earlier(jp_fetch, "another.ipynb") == []


async def test_runs_survive_a_server_restart(jp_fetch, kernel):
    """The second half of the story: this server is new, its database is not."""
    record = await annotated_run(jp_fetch, kernel, "z = np.ones(10**7)", "cell-z", path="analysis/day2.ipynb")
    runs = await earlier(jp_fetch, "analysis/day2.ipynb")
    assert record["msg_id"] in [r["msg_id"] for r in runs]


async def test_the_runs_of_the_previous_server_are_still_there(jp_fetch):
    runs = await earlier(jp_fetch, "analysis/day2.ipynb")
    assert [r["cell_id"] for r in runs] == ["cell-z"]


async def test_notebook_route_validation_and_auth(jp_fetch, jp_http_port, jp_base_url):
    response = await jp_fetch(*MEMORY_USAGE, "notebooks", raise_error=False)
    assert response.code == 400 and json.loads(response.body)["message"]
    response = await jp_fetch(*MEMORY_USAGE, "notebooks", params={"path": "x" * 5000}, raise_error=False)
    assert response.code == 400
    url = f"http://localhost:{jp_http_port}{jp_base_url}api/memory-usage/notebooks?path=a.ipynb"
    response = await AsyncHTTPClient().fetch(url, raise_error=False)
    assert response.code == 403
