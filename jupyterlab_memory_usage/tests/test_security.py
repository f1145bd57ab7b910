"""Cross-site requests, and malformed input found by fuzzing: never a 500, never a change."""

from __future__ import annotations

import json
import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tornado.httpclient import AsyncHTTPClient

from .helpers import start_kernel

MEMORY_USAGE = ("api", "memory-usage", "kernels")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=300),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=5),
    max_leaves=20,
)
annotation_like = st.fixed_dictionaries(
    {},
    optional={
        "msg_id": json_values | st.text(min_size=0, max_size=400),
        "cell_id": json_values | st.text(max_size=400),
        "notebook_path": json_values | st.text(max_size=5000),
    },
)
fuzz_settings = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def kernel(jp_fetch, jp_serverapp, jp_asyncio_loop):
    session = jp_asyncio_loop.run_until_complete(start_kernel(jp_fetch, jp_serverapp))
    jp_asyncio_loop.run_until_complete(session.wait_for_hook())
    yield session
    session.close()


def test_fuzzed_annotation_bodies_get_400_or_204(jp_fetch, kernel, jp_asyncio_loop):
    async def post(raw: bytes) -> int:
        response = await jp_fetch(*MEMORY_USAGE, kernel.kernel_id, "executions", method="POST",
                                  body=raw, raise_error=False)
        if response.code == 400:
            assert json.loads(response.body)["message"]
        return response.code

    @fuzz_settings
    @given(body=annotation_like | json_values)
    def structured(body):
        raw = json.dumps(body).encode()
        valid = (isinstance(body, dict) and isinstance(body.get("msg_id"), str) and 0 < len(body["msg_id"]) <= 256
                 and all(body.get(k) is None or (isinstance(body.get(k), str) and len(body[k]) <= limit)
                         for k, limit in (("cell_id", 256), ("notebook_path", 4096))))
        assert jp_asyncio_loop.run_until_complete(post(raw)) == (204 if valid else 400), body

    @fuzz_settings
    @given(raw=st.binary(max_size=2000))
    def unstructured(raw):
        assert jp_asyncio_loop.run_until_complete(post(raw)) in (204, 400)

    structured()
    unstructured()


def test_fuzzed_queries_and_ids_never_fail(jp_fetch, kernel, jp_asyncio_loop):
    async def get(kernel_id: str, since: str) -> int:
        response = await jp_fetch(*MEMORY_USAGE, kernel_id, params={"since": since}, raise_error=False)
        assert json.loads(response.body)["message" if response.code >= 400 else "seq"] is not None
        return response.code

    @fuzz_settings
    @given(since=st.text(max_size=40), unknown=st.text(alphabet=string.ascii_letters + string.digits + "-_.~", min_size=1, max_size=60))
    def check(since, unknown):
        code = jp_asyncio_loop.run_until_complete(get(kernel.kernel_id, since))
        # What the handler sees: Tornado turns control characters into spaces, then strips.
        stripped = re.sub(r"[\x00-\x08\x0e-\x1f]", " ", since).strip()
        expected = 200 if stripped.isascii() and stripped.isdigit() and len(stripped) <= 18 else 400
        assert code == expected, (since, code)
        if unknown != kernel.kernel_id:
            assert jp_asyncio_loop.run_until_complete(get(unknown, "0")) == 404

    check()


async def test_cross_site_post_is_refused(jp_fetch, jp_http_port, jp_base_url, jp_serverapp, kernel):
    """A browser session (cookie) without the XSRF token cannot annotate, like Jupyter's own POSTs."""
    record = await kernel.run("x = 1")
    client = AsyncHTTPClient()
    base = f"http://localhost:{jp_http_port}{jp_base_url}"
    token = jp_serverapp.identity_provider.token
    login = await client.fetch(f"{base}?token={token}", follow_redirects=False, raise_error=False)
    cookies = [c.split(";")[0] for c in login.headers.get_list("Set-Cookie")]
    assert any(c.startswith("username-") for c in cookies), cookies
    xsrf = next(c.split("=", 1)[1] for c in cookies if c.startswith("_xsrf="))
    url = f"{base}api/memory-usage/kernels/{kernel.kernel_id}/executions"
    body = json.dumps({"msg_id": record["msg_id"], "cell_id": "forged", "notebook_path": "x.ipynb"})
    cookie_header = {"Cookie": "; ".join(cookies)}
    for method in ("POST", "DELETE"):
        forged = await client.fetch(url, method=method, body=body if method == "POST" else None,
                                    headers=cookie_header, raise_error=False)
        assert forged.code == 403, (method, forged.code)
    state = await kernel.state()
    assert [r for r in state["executions"] if r["msg_id"] == record["msg_id"]][0]["cell_id"] is None
    # The same request with the XSRF token, as JupyterLab sends it, is accepted.
    genuine = await client.fetch(url, method="POST", body=body,
                                 headers={**cookie_header, "X-XSRFToken": xsrf}, raise_error=False)
    assert genuine.code == 204
