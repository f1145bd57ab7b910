#!/usr/bin/env python3
"""Record the server extension's API replies, for the frontend's type test.

Starts a real jupyter server with the extension and a real IPython kernel, runs
cells of a notebook through the kernel's websocket (annotated with their cell
and notebook, as JupyterLab does), and saves the replies of

    GET  /api/memory-usage/kernels
    GET  /api/memory-usage/kernels/{id}
    GET  /api/memory-usage/notebooks?path=...
    POST /api/memory-usage/kernels/{id}/heap-mode
    GET  /api/memory-usage/kernels/{id}/variables

into src/__tests__/fixtures/*.json. `src/__tests__/apiTypes.spec.ts` checks that
every key of these replies is declared in the TypeScript types and the other way
round. Run it again whenever the server's JSON changes:

    .venv/bin/python scripts/record-api-fixture.py

Everything it writes outside the fixtures lives in a temporary folder.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from tornado.ioloop import IOLoop
from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "src" / "__tests__" / "fixtures"
NOTEBOOK = "recorded.ipynb"
TOKEN = uuid.uuid4().hex
CELLS = [
    ("cell-allocate", "block = bytearray(64 * 2**20)"),
    ("cell-heap", "objects = [str(i) for i in range(200_000)]"),
    ("cell-free", "del block, objects"),
    ("cell-keep", "kept = [str(i) for i in range(100_000)]"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        # Jupyter's folders, and so the record database, in the temporary folder.
        for name in ("JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR"):
            env[name] = str(workdir / name.lower())
        self.log = workdir / "server.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={self.port}",
             f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={workdir}",
             "--ServerApp.jpserver_extensions=jupyterlab_memory_usage=True", "--allow-root"],
            env=env, stdout=subprocess.DEVNULL, stderr=open(self.log, "w"),
        )
        self.wait_until_up()

    def request(self, method: str, path: str, body: object | None = None) -> object:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path, data=data, method=method,
            headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("the jupyter server exited:\n" + self.log.read_text()[-3000:])
            try:
                self.request("GET", "/api/status")
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the jupyter server did not answer within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def wait_for(what: str, check, timeout_s: float = 60.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


async def execute(server: Server, kernel_id: str, cell_id: str, code: str) -> str:
    """Run code as JupyterLab runs a cell; returns the execution's msg_id once idle."""
    url = server.base.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels?token={TOKEN}"
    connection = await websocket_connect(url)
    msg_id = uuid.uuid4().hex
    # JupyterLab tells the server extension which cell an execution is, before it runs.
    server.request("POST", f"/api/memory-usage/kernels/{kernel_id}/executions",
                   {"msg_id": msg_id, "cell_id": cell_id, "notebook_path": NOTEBOOK})
    await connection.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "", "session": "",
                   "version": "5.3"},
        "parent_header": {}, "metadata": {"cellId": cell_id}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    while True:
        message = json.loads(await connection.read_message())
        if (message.get("parent_header", {}).get("msg_id") == msg_id
                and message["msg_type"] == "status" and message["content"]["execution_state"] == "idle"):
            break
    connection.close()
    return msg_id


def record(workdir: Path) -> dict[str, object]:
    server = Server(workdir)
    try:
        server.request("PUT", f"/api/contents/{NOTEBOOK}", {"type": "notebook", "content": {
            "cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}})
        session = server.request("POST", "/api/sessions", {
            "path": NOTEBOOK, "type": "notebook", "name": NOTEBOOK, "kernel": {"name": "python3"}})
        kernel_id = session["kernel"]["id"]
        kernel_path = f"/api/memory-usage/kernels/{kernel_id}"
        wait_for("the kernel hook", lambda: server.request("GET", kernel_path)["hook"] == "active")
        heap_mode = server.request("POST", f"{kernel_path}/heap-mode", {"enabled": True})
        wait_for("heap mode", lambda: server.request("GET", kernel_path)["heap_mode"])
        msg_ids = [IOLoop.current().run_sync(lambda c=cell: execute(server, kernel_id, *c)) for cell in CELLS]

        def finished():
            reply = server.request("GET", kernel_path)
            done = {r["msg_id"] for r in reply["executions"] if r["status"] != "running"}
            return reply if set(msg_ids) <= done and reply["samples"] else None

        kernel = wait_for("the executions' final records", finished)
        query = urllib.parse.urlencode({"path": NOTEBOOK})
        notebook = wait_for("the persisted records", lambda: (
            lambda reply: reply if len(reply["executions"]) >= len(CELLS) else None
        )(server.request("GET", f"/api/memory-usage/notebooks?{query}")))
        return {
            "kernels": server.request("GET", "/api/memory-usage/kernels"),
            "kernel": kernel,
            "notebook-runs": notebook,
            "heap-mode": heap_mode,
            "variables": server.request("GET", f"{kernel_path}/variables"),
        }
    finally:
        server.stop()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="memory-usage-fixture-") as tmp:
        replies = record(Path(tmp))
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, reply in replies.items():
        path = FIXTURES / f"{name}.json"
        path.write_text(json.dumps(reply, indent=2) + "\n")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
