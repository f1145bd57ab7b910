"""A user who may not use kernels may not read their memory either."""

from __future__ import annotations

import json

import pytest
from jupyter_server.auth import Authorizer

from .test_routes import MEMORY_USAGE, annotate, fetch_json


class NoKernelsAuthorizer(Authorizer):
    """Allows everything but the ``kernels`` resource, and records what it was asked."""

    asked: list[tuple[str, str]] = []

    def is_authorized(self, handler, user, action, resource):
        self.asked.append((action, resource))
        return resource != "kernels"


@pytest.fixture
def jp_server_config(jp_server_config):
    config = dict(jp_server_config)
    config["ServerApp"] = {**config["ServerApp"], "authorizer_class": NoKernelsAuthorizer}
    return config


@pytest.fixture
def kernel_id(jp_serverapp, jp_asyncio_loop):
    # Started past the REST API, which this user may not use either.
    kernel_id = jp_asyncio_loop.run_until_complete(jp_serverapp.kernel_manager.start_kernel())
    NoKernelsAuthorizer.asked.clear()
    return kernel_id


async def test_routes_refuse_a_user_without_kernels_permission(jp_fetch, jp_serverapp, kernel_id):
    assert isinstance(jp_serverapp.authorizer, NoKernelsAuthorizer)
    # The same user may read what is not a kernel: the refusal is the authorizer's.
    code, _ = await fetch_json(jp_fetch, "api", "status")
    assert code == 200
    code, body = await fetch_json(jp_fetch, "api", "kernels")
    assert code == 403, body

    NoKernelsAuthorizer.asked.clear()
    code, body = await fetch_json(jp_fetch, *MEMORY_USAGE)
    assert code == 403, body
    code, body = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel_id, params={"since": "0"})
    assert code == 403, body
    code, body = await annotate(jp_fetch, kernel_id, {"msg_id": "m", "cell_id": "c", "notebook_path": "n.ipynb"})
    assert code == 403, body
    code, body = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel_id, "executions", method="DELETE")
    assert code == 403, body
    # Refused before anything else: an unknown kernel or a bad body tells nothing.
    code, body = await fetch_json(jp_fetch, *MEMORY_USAGE, "nope")
    assert code == 403, body
    code, body = await annotate(jp_fetch, kernel_id, "not json")
    assert code == 403, body
    for route, method, payload in (("heap-mode", "POST", {"enabled": True}),
                                   ("line-profile", "POST", {"cell_id": "c"}), ("line-profile", "DELETE", None),
                                   ("variables", "GET", None)):
        code, body = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel_id, route, method=method,
                                      body=None if payload is None else json.dumps(payload))
        assert code == 403, (route, method, body)
    code, body = await fetch_json(jp_fetch, "api", "memory-usage", "notebooks", params={"path": "n.ipynb"})
    assert code == 403, body
    assert NoKernelsAuthorizer.asked == [
        ("read", "kernels"), ("read", "kernels"), ("write", "kernels"), ("write", "kernels"),
        ("read", "kernels"), ("write", "kernels"), ("write", "kernels"), ("write", "kernels"), ("write", "kernels"),
        ("read", "kernels"), ("read", "kernels"),
    ]
    assert kernel_id.encode() not in json.dumps(body).encode()
