"""The browsers of the load test, in a process of their own.

Run by test_load.py as ``python load_client.py`` with its task as JSON on stdin; prints
its results as JSON on stdout. Each notebook opens its kernel's websocket through the
server (the legacy JSON protocol), runs cells through it, posts which cell each
execution is, and polls our route every 400 ms while it runs, as the frontend does.
Apart from the server's process, so the times measured are the server's, not those
of clients sharing its event loop. Standard library and tornado only; loopback only.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

CELL_TIMEOUT_S = 180
BUSY_CELL = "_x = [i * i for i in range(20000)]; sum(_x)"


class Client:
    def __init__(self, task: dict):
        self.base_url = task["base_url"]  # http://127.0.0.1:<port>/<base_url>/
        self.headers = task["headers"]  # the server's token
        self.http = AsyncHTTPClient(max_clients=200)
        self.times: dict[str, list[float]] = {}

    async def fetch(self, route: str, path: str, method: str = "GET", body: str | None = None,
                    params: dict | None = None):
        url = self.base_url + path + (f"?{urlencode(params)}" if params else "")
        started = time.perf_counter()
        response = await self.http.fetch(HTTPRequest(url, method=method, body=body, headers=self.headers,
                                                     request_timeout=120, connect_timeout=120))
        self.times.setdefault(route, []).append(time.perf_counter() - started)
        return response


class Notebook:
    def __init__(self, client: Client, kernel_id: str, path: str, poll_interval_s: float):
        self.client = client
        self.kernel_id = kernel_id
        self.path = path
        self.poll_interval_s = poll_interval_s
        self.session = uuid.uuid4().hex
        self.ws = None
        self.records: dict[str, dict] = {}
        self._replies: dict[str, asyncio.Future] = {}
        self._seq = 0
        self._history_id = ""

    async def open(self) -> None:
        await self.client.fetch("/api/contents/{path}", f"api/contents/{self.path}")
        url = self.client.base_url.replace("http://", "ws://", 1) + f"api/kernels/{self.kernel_id}/channels"
        self.ws = await websocket_connect(HTTPRequest(f"{url}?{urlencode({'session_id': self.session})}",
                                                      headers=self.client.headers, connect_timeout=120))
        asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while True:
            message = await self.ws.read_message()
            if message is None:
                return
            msg = json.loads(message)
            future = self._replies.get(msg.get("parent_header", {}).get("msg_id"))
            if future is not None and not future.done() and msg.get("channel") == "shell" \
                    and msg.get("msg_type") == "execute_reply":
                future.set_result(msg["content"])

    async def run(self, code: str, cell_id: str) -> str:
        msg_id = uuid.uuid4().hex
        reply = self._replies[msg_id] = asyncio.get_running_loop().create_future()
        await self.ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": self.session,
                       "username": "load", "date": datetime.now(timezone.utc).isoformat(), "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        # What the frontend's annotator posts right after it sends the request.
        await self.client.fetch("POST /api/memory-usage/kernels/{id}/executions",
                                f"api/memory-usage/kernels/{self.kernel_id}/executions", method="POST",
                                body=json.dumps({"msg_id": msg_id, "cell_id": cell_id, "notebook_path": self.path}))
        try:
            content = await asyncio.wait_for(reply, CELL_TIMEOUT_S)
        finally:
            del self._replies[msg_id]
        if content.get("status") != "ok":
            raise RuntimeError(f"cell {cell_id} in {self.kernel_id}: {content}")
        return msg_id

    async def poll(self, done: asyncio.Event) -> None:
        while not done.is_set():
            params = {"since": str(self._seq)}
            if self._history_id:
                params["history_id"] = self._history_id
            response = await self.client.fetch("/api/memory-usage/kernels/{id}?since",
                                               f"api/memory-usage/kernels/{self.kernel_id}", params=params)
            reply = json.loads(response.body)
            self._seq, self._history_id = reply["seq"], reply["history_id"]
            for record in reply["executions"]:
                self.records[record["msg_id"]] = record
            await asyncio.sleep(self.poll_interval_s)

    async def final_record(self, msg_id: str) -> dict:
        """The record once the poll has seen it finished and tied to its cell."""
        deadline = time.monotonic() + CELL_TIMEOUT_S
        while time.monotonic() < deadline:
            record = self.records.get(msg_id)
            if record is not None and record["status"] != "running" and record["cell_id"] is not None:
                return record
            await asyncio.sleep(0.1)
        raise TimeoutError(f"{self.kernel_id}: the record of {msg_id} never finished: {self.records.get(msg_id)}")


async def main(task: dict) -> dict:
    client = Client(task)
    notebooks = [Notebook(client, k["id"], k["path"], task["poll_interval_s"]) for k in task["kernels"]]
    await asyncio.gather(*(nb.open() for nb in notebooks))
    done = asyncio.Event()
    polls = [asyncio.ensure_future(nb.poll(done)) for nb in notebooks]
    started = time.monotonic()
    deadline = started + task["load_seconds"]
    sent: list[tuple[Notebook, str]] = []

    async def work(nb: Notebook) -> dict:
        """An exact allocation, then busy cells until the deadline."""
        sent.append((nb, await nb.run("import numpy as np", "cell-import")))
        msg_id = await nb.run("y = np.ones(10**7)", "cell-alloc")
        sent.append((nb, msg_id))
        allocated = await nb.final_record(msg_id)
        sent.append((nb, await nb.run("del y", "cell-del")))  # 50 x 76 MiB at once is enough
        runs = 0
        # At least two busy cells each, however long the start took on a loaded machine:
        # every kernel is under load while the others are.
        while runs < 2 or time.monotonic() < deadline:
            sent.append((nb, await nb.run(BUSY_CELL, f"cell-busy-{runs % 5}")))
            runs += 1
        return {"allocated": allocated, "runs": runs}

    async def measured(nb: Notebook) -> dict:
        # One kernel does heavy work under the load: its figures must stay exact.
        await nb.run("import numpy as np", "cell-import")
        big = await nb.final_record(await nb.run("big = np.ones(10**8)", "cell-big"))
        released = await nb.final_record(await nb.run("del big", "cell-del-big"))
        return {"big": big, "released": released}

    async def probe() -> None:
        routes = [("/api/status", "api/status"), ("/api/contents", "api/contents"), ("/api/kernels", "api/kernels"),
                  ("/api/memory-usage/kernels", "api/memory-usage/kernels")]
        while time.monotonic() < deadline:
            for route, path in routes:
                await client.fetch(route, path)
            await asyncio.sleep(0.1)

    try:
        _, heavy, *per_kernel = await asyncio.gather(probe(), measured(notebooks[-1]),
                                                     *(work(nb) for nb in notebooks[:-1]))
        elapsed_s = time.monotonic() - started
        finals = [await nb.final_record(msg_id) for nb, msg_id in sent]
    finally:
        done.set()
        await asyncio.gather(*polls, return_exceptions=True)
        for nb in notebooks:
            nb.ws.close()
    return {"elapsed_s": elapsed_s, "times": client.times, "heavy": heavy, "per_kernel": per_kernel,
            "finals": finals}


if __name__ == "__main__":
    result = asyncio.run(main(json.load(sys.stdin)))
    json.dump(result, sys.stdout)
