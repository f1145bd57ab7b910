"""Heap mode and the Variables list need the in-kernel hook: a kernel without it gets a
409 with a clear message."""

import json

import pytest
from tornado.httpclient import HTTPClientError

from .helpers import start_kernel


@pytest.fixture
def jp_server_config(jp_server_config):
    return {**jp_server_config, "MemoryUsage": {"load_kernel_hook": False}}


async def test_no_hook_gets_a_conflict(jp_fetch, jp_serverapp):
    kernel = await start_kernel(jp_fetch, jp_serverapp)
    try:
        state = await kernel.wait_for_hook()
        assert state["hook"] == "disabled" and state["heap_mode"] is False
        with pytest.raises(HTTPClientError) as e:
            await jp_fetch("api", "memory-usage", "kernels", kernel.kernel_id, "heap-mode",
                           method="POST", body=json.dumps({"enabled": True}))
        assert e.value.code == 409
        message = json.loads(e.value.response.body)["message"]
        assert "hook" in message, message
        assert (await kernel.state())["heap_mode"] is False
        response = await jp_fetch("api", "memory-usage", "kernels", kernel.kernel_id, "variables", raise_error=False)
        assert response.code == 409
        message = json.loads(response.body)["message"]
        assert message.startswith("Listing variables needs the in-kernel hook, which is turned off"), message
    finally:
        kernel.close()
