"""What the Python benchmarks share: real `jupyter server` processes on loopback, their
kernels, clients on those kernels, and a few figures about the machine.

Standard library plus what the project's venv has (jupyter_client, psutil, websocket-client).
"""

from __future__ import annotations

import atexit
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from typing import Any

import psutil
from jupyter_client import BlockingKernelClient

MIB = 2**20


# ----- the machine -------------------------------------------------------------------

def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> str:
    mem = psutil.virtual_memory()
    return (f"{os.cpu_count()} cores, {mem.total / 2**30:.1f} GiB ({mem.available / 2**30:.1f} GiB available), "
            f"Linux {platform.release()}, Python {platform.python_version()}")


def code_version() -> str:
    """The commit measured, and whether the server extension had uncommitted changes."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "../jupyterlab_memory_usage"], cwd=here,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes to jupyterlab_memory_usage/" if dirty else "")


def banner(title: str) -> None:
    print(f"\n== {title} ==", flush=True)
    print(f"machine: {machine()}", flush=True)
    print(f"code: {code_version()}", flush=True)
    print(f"load average (1/5/15 min) at start: {load()}", flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, ready to paste into docs/performance.md."""
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in rows])


def as_timestamp(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


# ----- servers -----------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_SERVERS: list["Server"] = []


class Server:
    """A `jupyter server` subprocess with this project's extension, on loopback with a token."""

    def __init__(self, *args: str, name: str = "server", python_args: tuple[str, ...] = ()):
        self.name = name
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.tmp = tempfile.mkdtemp(prefix=f"bench-{name}-")
        self.root = os.path.join(self.tmp, "root")
        self.runtime = os.path.join(self.tmp, "runtime")
        os.makedirs(self.root)
        os.makedirs(self.runtime)
        env = dict(os.environ,
                   JUPYTER_RUNTIME_DIR=self.runtime,
                   JUPYTER_CONFIG_DIR=os.path.join(self.tmp, "config"),  # no user config
                   IPYTHONDIR=os.path.join(self.tmp, "ipython"),  # kernels' history: not the user's
                   PYTHONUNBUFFERED="1")
        cmd = [sys.executable, *python_args, "-m", "jupyter_server",
               "--no-browser", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}", *args]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log_path = os.path.join(self.tmp, "server.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self.process = psutil.Process(self.proc.pid)
        self._conn: http.client.HTTPConnection | None = None
        self.kernel_ids: list[str] = []
        _SERVERS.append(self)
        self._wait_ready()

    # HTTP, one kept-alive connection (cheap enough to poll every millisecond)
    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"token {self.token}"}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self._conn.request(method, path, body=data, headers=headers)
                response = self._conn.getresponse()
                raw = response.read()
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                self._conn.close()
                self._conn = None
                if attempt:
                    raise
        return response.status, (json.loads(raw) if raw else None)

    def get(self, path: str) -> Any:
        status, body = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {body}")
        return body

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {self.log_path}\n{open(self.log_path).read()[-3000:]}")
            try:
                if self.request("GET", "/api/status")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} did not start: see {self.log_path}")

    # kernels
    def start_kernel(self) -> str:
        status, body = self.request("POST", "/api/kernels", {"name": "python3"})
        if status != 201:
            raise RuntimeError(f"POST /api/kernels: {status} {body}")
        self.kernel_ids.append(body["id"])
        return body["id"]

    def shutdown_kernel(self, kernel_id: str) -> None:
        status, body = self.request("DELETE", f"/api/kernels/{kernel_id}")
        if status != 204:
            raise RuntimeError(f"DELETE /api/kernels/{kernel_id}: {status} {body}")
        self.kernel_ids.remove(kernel_id)

    def connection_file(self, kernel_id: str, timeout: float = 30) -> str:
        path = os.path.join(self.runtime, f"kernel-{kernel_id}.json")
        deadline = time.monotonic() + timeout
        while not os.path.exists(path):
            if time.monotonic() > deadline:
                raise TimeoutError(path)
            time.sleep(0.05)
        return path

    def client(self, kernel_id: str, iopub: bool = True) -> BlockingKernelClient:
        client = BlockingKernelClient(connection_file=self.connection_file(kernel_id))
        client.load_connection_file()
        # No heartbeat: on a loaded machine a late pong reads as "kernel died".
        client.start_channels(iopub=iopub, stdin=False, hb=False)
        client.wait_for_ready(timeout=120)
        return client

    def kernel_pid(self, kernel_id: str, timeout: float = 30) -> int:
        """The kernel's process: the server's child whose command line names its connection file."""
        needle = f"kernel-{kernel_id}.json"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for child in self.process.children(recursive=True):
                try:
                    if any(needle in part for part in child.cmdline()):
                        return child.pid
                except psutil.Error:
                    pass
            time.sleep(0.05)
        raise TimeoutError(f"no process for kernel {kernel_id}")

    def memory_state(self, kernel_id: str, since: int = 0) -> dict[str, Any]:
        return self.get(f"/api/memory-usage/kernels/{kernel_id}?since={since}")

    def wait_hook(self, kernel_id: str, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            state = self.memory_state(kernel_id, since=10**12)
            if state.get("hook") not in (None, "loading") and state.get("pid"):
                return state
            time.sleep(0.05)
        raise TimeoutError(f"hook never settled: {state}")

    def wait_records(self, kernel_id: str, msg_ids: list[str], since: int = 0, timeout: float = 60) -> list[dict]:
        """The final records of these executions (the API returns records changed after `since`)."""
        found: dict[str, dict] = {}
        deadline = time.monotonic() + timeout
        while True:
            state = self.memory_state(kernel_id, since)
            for record in state["executions"]:
                if record["status"] != "running":
                    found[record["msg_id"]] = record
            if all(m in found for m in msg_ids):
                return [found[m] for m in msg_ids]
            if time.monotonic() > deadline:
                raise TimeoutError(f"records not final: {[found.get(m) for m in msg_ids]}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.proc.poll() is None:
            for kernel_id in self.kernel_ids:
                try:
                    self.request("DELETE", f"/api/kernels/{kernel_id}")
                except OSError:
                    pass
            try:
                self.request("POST", "/api/shutdown")
            except OSError:
                pass
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        if self._conn is not None:
            self._conn.close()
        self._log.close()
        if self in _SERVERS:
            _SERVERS.remove(self)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


@atexit.register
def _stop_all() -> None:
    for server in list(_SERVERS):
        server.stop()


# ----- executions ----------------------------------------------------------------------

def execute(client: BlockingKernelClient, code: str, timeout: float = 300) -> tuple[str, dict, str]:
    """Run one cell to its end; returns (msg_id, idle message, printed text). Raises on error."""
    msg_id = client.execute(code)
    out: list[str] = []
    idle = None
    deadline = time.monotonic() + timeout
    while idle is None:
        msg = client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            idle = msg
    return msg_id, idle, "".join(out)


class WebsocketClient:
    """A kernel driven through the server's websocket, as JupyterLab drives it (JSON protocol)."""

    def __init__(self, server: Server, kernel_id: str, quickack: bool = True):
        import websocket  # websocket-client

        # jupyter_server's websocket leaves Nagle on, so a burst of small messages (busy,
        # execute_input, reply, idle) waits for our ACK, which Linux delays up to 40 ms:
        # that timer would dominate a trivial execution. quickack ACKs at once.
        self.quickack = quickack

        self.session = uuid.uuid4().hex
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?session_id={self.session}",
            header=[f"Authorization: token {server.token}"], timeout=60)

    def execute(self, code: str) -> None:
        """Send a cell and wait for its reply and its idle."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "bench", "session": self.session,
                       "msg_type": "execute_request", "version": "5.3",
                       "date": datetime.now().astimezone().isoformat()},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        replied = idle = False
        while not (replied and idle):
            raw = self.ws.recv()
            if self.quickack:
                self.ws.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["channel"] == "shell" and msg["msg_type"] == "execute_reply":
                if msg["content"]["status"] != "ok":
                    raise RuntimeError(msg["content"])
                replied = True
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle = True

    def close(self) -> None:
        self.ws.close()
