"""The REST routes on a real server with real kernels: contract, errors, authentication."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
import warnings

import pytest
from jupyter_server.utils import JupyterServerAuthWarning
from tornado.httpclient import AsyncHTTPClient

from ..routes import route_handlers
from .helpers import start_kernel

MEMORY_USAGE = ("api", "memory-usage", "kernels")


@pytest.fixture
def kernel(jp_fetch, jp_serverapp, jp_asyncio_loop):
    session = jp_asyncio_loop.run_until_complete(start_kernel(jp_fetch, jp_serverapp))
    state = jp_asyncio_loop.run_until_complete(session.wait_for_hook())
    assert state["hook"] == "active", state
    yield session
    session.close()


async def fetch_json(jp_fetch, *parts, **kwargs) -> tuple[int, dict | None]:
    response = await jp_fetch(*parts, raise_error=False, **kwargs)
    body = json.loads(response.body) if response.body else None
    return response.code, body


async def annotate(jp_fetch, kernel_id: str, body) -> tuple[int, dict | None]:
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return await fetch_json(jp_fetch, *MEMORY_USAGE, kernel_id, "executions", method="POST", body=raw)


def assert_error(code: int, body: dict | None, expected: int) -> None:
    assert code == expected, (code, body)
    assert isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"], body


# ----- reading ------------------------------------------------------------------


async def test_list_kernels(jp_fetch, jp_serverapp, kernel):
    code, body = await fetch_json(jp_fetch, *MEMORY_USAGE)
    assert code == 200
    (summary,) = [k for k in body["kernels"] if k["id"] == kernel.kernel_id]
    real_pid = jp_serverapp.kernel_manager.get_kernel(kernel.kernel_id).provisioner.process.pid
    assert summary["pid"] == real_pid
    assert summary["rss"] > 0 and summary["limit"] > 0
    assert summary["hook"] == "active"
    assert body["system_available"] > 0


async def test_kernel_state(jp_fetch, jp_serverapp, kernel):
    code, state = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel.kernel_id)
    assert code == 200
    real_pid = jp_serverapp.kernel_manager.get_kernel(kernel.kernel_id).provisioner.process.pid
    assert state["pid"] == real_pid
    assert state["kernel_id"] == kernel.kernel_id
    assert state["rss"] > 0 and state["limit"] > 0 and state["system_available"] > 0
    assert state["method"] == "procfs" and state["restarts"] == 0
    assert isinstance(state["seq"], int) and isinstance(state["history_id"], str)
    assert state["executions"] == []  # the hook's silent loader is nobody's cell
    assert state["samples"] and all(s["rss"] > 0 for s in state["samples"])


async def test_since_returns_only_what_changed(jp_fetch, kernel):
    first = await kernel.run("a = 1")
    code, state = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel.kernel_id, params={"since": "0"})
    assert code == 200
    assert [r["msg_id"] for r in state["executions"]] == [first["msg_id"]]
    seq, history_id = state["seq"], state["history_id"]
    assert all(item["seq"] <= seq for item in state["executions"] + state["samples"])

    # Idle: nothing about executions changes, whatever samples come in.
    await asyncio.sleep(0.5)
    code, later = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel.kernel_id, params={"since": str(seq)})
    assert code == 200 and later["executions"] == [], later["executions"]
    assert later["history_id"] == history_id and later["seq"] >= seq
    assert all(s["seq"] > seq for s in later["samples"])

    second = await kernel.run("b = 2")
    code, newer = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel.kernel_id, params={"since": str(seq)})
    assert [r["msg_id"] for r in newer["executions"]] == [second["msg_id"]]
    assert newer["executions"][0]["status"] == "ok" and newer["executions"][0]["seq"] > seq
    assert all(s["seq"] > seq for s in newer["samples"])
    assert newer["seq"] >= max(item["seq"] for item in newer["executions"] + newer["samples"])

    # A client whose numbering belongs to another history gets everything again.
    code, other = await fetch_json(
        jp_fetch, *MEMORY_USAGE, kernel.kernel_id, params={"since": str(newer["seq"]), "history_id": "stale"}
    )
    assert [r["msg_id"] for r in other["executions"]] == [first["msg_id"], second["msg_id"]]


async def test_running_records_are_returned_and_updated(jp_fetch, kernel, tmp_path):
    # The cell runs until the test lets it end (a file appears), however slow the machine.
    release = tmp_path / "release"
    sent_at = time.monotonic()
    msg_id = kernel.send(f"import os, time\nwhile not os.path.exists({str(release)!r}): time.sleep(0.01)")
    deadline = time.monotonic() + 30
    seen_running = None
    while time.monotonic() < deadline:
        _, state = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel.kernel_id)
        records = {r["msg_id"]: r for r in state["executions"]}
        if msg_id in records and records[msg_id]["status"] == "running":
            seen_running, seen_at = records[msg_id], time.monotonic()
            break
        await asyncio.sleep(0.05)
    assert seen_running is not None, "the record was never visible while running"
    assert state["execution_state"] == "busy"
    # Updates of the running record come with later sequence numbers.
    while True:
        assert time.monotonic() < deadline, "the running record was never updated past 0.4 s"
        _, update = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel.kernel_id, params={"since": str(state["seq"])})
        updated = next((r for r in update["executions"] if r["msg_id"] == msg_id), None)
        if updated is not None and updated["duration"] >= 0.4:
            break
        await asyncio.sleep(0.05)
    assert updated["status"] == "running" and updated["seq"] > seen_running["seq"]
    # The live duration counts from the kernel's own start of the cell.
    assert updated["rss_end"] > 0, updated
    release.touch()
    released_at = time.monotonic()
    await kernel.wait_replies([msg_id])
    replied_at = time.monotonic()
    (final,) = await kernel.wait_records([msg_id])
    # The kernel's own duration: at least the time it was seen running until released,
    # at most the time from sending to the reply.
    assert final["status"] == "ok", final
    assert released_at - seen_at <= final["duration"] <= replied_at - sent_at + 0.05, (final, released_at - seen_at)


# ----- errors -------------------------------------------------------------------


@pytest.mark.parametrize("kernel_id", [str(uuid.uuid4()), "nope"])
async def test_unknown_kernel(jp_fetch, kernel, kernel_id):
    code, body = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel_id)
    assert_error(code, body, 404)
    code, body = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel_id, params={"since": "3"})
    assert_error(code, body, 404)
    code, body = await annotate(jp_fetch, kernel_id, {"msg_id": "m", "cell_id": "c", "notebook_path": "n.ipynb"})
    assert_error(code, body, 404)
    code, body = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel_id, "variables")
    assert_error(code, body, 404)


# "²" is a digit to str.isdigit(), not to int().
@pytest.mark.parametrize("since", ["-1", "abc", "1.5", "9" * 30, "", "0x10", "1e3", "²"])
async def test_malformed_since(jp_fetch, kernel, since):
    code, body = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel.kernel_id, params={"since": since})
    assert_error(code, body, 400)


LONG = "x" * 5000


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "",
        b"\xff\xfe",
        "[1, 2]",
        '"msg_id"',
        "null",
        {},
        {"cell_id": "c"},
        {"msg_id": ""},
        {"msg_id": 12},
        {"msg_id": None},
        {"msg_id": LONG},
        {"msg_id": "m", "cell_id": LONG},
        {"msg_id": "m", "cell_id": 3},
        {"msg_id": "m", "notebook_path": 12},
        {"msg_id": "m", "notebook_path": LONG * 2},
        "[" * 100_000,
    ],
    ids=lambda b: repr(b)[:30],
)
async def test_malformed_annotation(jp_fetch, kernel, body):
    code, reply = await annotate(jp_fetch, kernel.kernel_id, body)
    assert_error(code, reply, 400)


# ----- annotations --------------------------------------------------------------


async def test_annotate_before_the_execution_is_sent(jp_fetch, kernel):
    client = kernel.client
    msg = client.session.msg(
        "execute_request",
        {"code": "before = 1", "silent": False, "store_history": True, "user_expressions": {},
         "allow_stdin": False, "stop_on_error": True},
    )
    msg_id = msg["header"]["msg_id"]
    code, _ = await annotate(jp_fetch, kernel.kernel_id, {"msg_id": msg_id, "cell_id": "cell-before", "notebook_path": "dir/a.ipynb"})
    assert code == 204
    client.shell_channel.send(msg)
    await kernel.wait_replies([msg_id])
    (record,) = await kernel.wait_records([msg_id])
    assert (record["cell_id"], record["notebook_path"], record["status"]) == ("cell-before", "dir/a.ipynb", "ok")


async def test_annotate_while_running(jp_fetch, kernel):
    msg_id = kernel.send("import time; time.sleep(0.5)")
    code, _ = await annotate(jp_fetch, kernel.kernel_id, {"msg_id": msg_id, "cell_id": "cell-running", "notebook_path": "b.ipynb"})
    assert code == 204
    await kernel.wait_replies([msg_id])
    (record,) = await kernel.wait_records([msg_id])
    assert (record["cell_id"], record["notebook_path"], record["status"]) == ("cell-running", "b.ipynb", "ok")


async def test_annotate_after_it_finished(jp_fetch, kernel):
    record = await kernel.run("after = 1")
    assert record["cell_id"] is None
    _, state = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel.kernel_id)
    code, _ = await annotate(jp_fetch, kernel.kernel_id, {"msg_id": record["msg_id"], "cell_id": "cell-after", "notebook_path": "c.ipynb"})
    assert code == 204
    _, changed = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel.kernel_id, params={"since": str(state["seq"])})
    (annotated,) = changed["executions"]
    assert annotated["msg_id"] == record["msg_id"]
    assert (annotated["cell_id"], annotated["notebook_path"]) == ("cell-after", "c.ipynb")
    # Annotating changes nothing else of the record.
    for key in ("status", "started", "ended", "delta", "peak_increment", "execution_count"):
        assert annotated[key] == record[key], key


async def test_annotation_with_nulls(jp_fetch, kernel):
    record = await kernel.run("nulls = 1")
    code, _ = await annotate(jp_fetch, kernel.kernel_id, {"msg_id": record["msg_id"], "cell_id": None, "notebook_path": None})
    assert code == 204
    code, _ = await annotate(jp_fetch, kernel.kernel_id, {"msg_id": "never-sent"})
    assert code == 204


# ----- authentication ---------------------------------------------------------------


async def test_every_route_needs_a_token(jp_fetch, jp_http_port, jp_base_url, kernel):
    record = await kernel.run("secret = 1")
    base = f"http://localhost:{jp_http_port}{jp_base_url}api/memory-usage/kernels"
    client = AsyncHTTPClient()
    body = json.dumps({"msg_id": record["msg_id"], "cell_id": "intruder", "notebook_path": "x.ipynb"})
    requests = [
        (base, "GET", None),
        (f"{base}/{kernel.kernel_id}", "GET", None),
        (f"{base}/{kernel.kernel_id}?since=0", "GET", None),
        (f"{base}/{kernel.kernel_id}/executions", "POST", body),
        (f"{base}/{kernel.kernel_id}/executions", "DELETE", None),
        (f"{base}/{kernel.kernel_id}/heap-mode", "POST", json.dumps({"enabled": True})),
        (f"{base}/{kernel.kernel_id}/line-profile", "POST", json.dumps({"cell_id": "c"})),
        (f"{base}/{kernel.kernel_id}/line-profile", "DELETE", None),
        (f"{base}/{kernel.kernel_id}/variables", "GET", None),
        (f"{base[:-len('/kernels')]}/notebooks?path=x.ipynb", "GET", None),
    ]
    for headers in ({}, {"Authorization": "token wrong"}):
        for url, method, payload in requests:
            response = await client.fetch(
                url, method=method, body=payload, headers=headers, raise_error=False, follow_redirects=False
            )
            assert response.code == 403, (url, method, headers, response.code)
            assert kernel.kernel_id.encode() not in response.body
    _, state = await fetch_json(jp_fetch, *MEMORY_USAGE, kernel.kernel_id)
    (unchanged,) = [r for r in state["executions"] if r["msg_id"] == record["msg_id"]]
    assert unchanged["cell_id"] is None  # not annotated, not cleared
    assert state["heap_mode"] is False and state["line_profile_armed"] is None, state


def test_no_authentication_warning_about_our_routes(jp_configurable_serverapp):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = jp_configurable_serverapp()
    auth_warnings = [str(w.message) for w in caught if issubclass(w.category, JupyterServerAuthWarning)]
    assert not [w for w in auth_warnings if "memory-usage" in w or "MemoryUsage" in w], auth_warnings
    # The same check the server makes, on our handlers as registered, so the test
    # cannot pass by a warning that never fired.
    ours = [(rule.matcher, rule.target) for rule in _rules(app.web_app.default_router)
            if isinstance(rule.target, type) and rule.target.__module__ == route_handlers.__module__]
    assert len(ours) == len(route_handlers("/")), ours
    for matcher, handler in ours:
        assert app.web_app._check_handler_auth(matcher, handler) == [], handler


def _rules(router):
    for rule in router.rules:
        yield rule
        if hasattr(rule.target, "rules"):
            yield from _rules(rule.target)
