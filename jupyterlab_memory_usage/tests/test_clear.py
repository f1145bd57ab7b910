"""Clearing a kernel's history through DELETE .../executions."""

import json

import pytest
from tornado.httpclient import AsyncHTTPClient

from .helpers import start_kernel

MEMORY_USAGE = ("api", "memory-usage", "kernels")


@pytest.fixture
def kernel(jp_fetch, jp_serverapp, jp_asyncio_loop):
    session = jp_asyncio_loop.run_until_complete(start_kernel(jp_fetch, jp_serverapp))
    jp_asyncio_loop.run_until_complete(session.wait_for_hook())
    yield session
    session.close()


async def test_clear_forgets_records_and_starts_a_new_history(jp_fetch, kernel):
    await kernel.run("a = 1")
    before = await kernel.state()
    assert before["executions"]
    response = await jp_fetch(*MEMORY_USAGE, kernel.kernel_id, "executions", method="DELETE")
    assert response.code == 204
    after = await kernel.state()
    assert after["executions"] == []
    assert after["history_id"] != before["history_id"]
    # A client that still holds the old numbering gets everything of the new history.
    response = await jp_fetch(*MEMORY_USAGE, kernel.kernel_id,
                              params={"since": str(before["seq"]), "history_id": before["history_id"]})
    assert json.loads(response.body)["history_id"] == after["history_id"]
    record = await kernel.run("b = 2")
    assert record["status"] == "ok"
    assert [r["msg_id"] for r in (await kernel.state())["executions"]] == [record["msg_id"]]


async def test_clear_needs_a_token_and_a_known_kernel(jp_fetch, jp_http_port, jp_base_url, kernel):
    await kernel.run("kept = 1")
    url = f"http://localhost:{jp_http_port}{jp_base_url}api/memory-usage/kernels/{kernel.kernel_id}/executions"
    response = await AsyncHTTPClient().fetch(url, method="DELETE", raise_error=False)
    assert response.code == 403
    assert (await kernel.state())["executions"]
    response = await jp_fetch(*MEMORY_USAGE, "00000000-0000-0000-0000-000000000000", "executions",
                              method="DELETE", raise_error=False)
    assert response.code == 404
    assert json.loads(response.body)["message"]
