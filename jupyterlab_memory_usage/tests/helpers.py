"""Driving real kernels through a real server, the way a frontend would."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import pytest
from jupyter_client.asynchronous import AsyncKernelClient

MIB = 2**20
ONES_1E8_BYTES = 8 * 10**8  # np.ones(10**8): 762.94 MiB


class KernelSession:
    """A kernel started through the REST API, with a client on its channels."""

    def __init__(self, fetch, serverapp, kernel_id: str):
        self.fetch = fetch
        self.serverapp = serverapp
        self.kernel_id = kernel_id
        self.client: AsyncKernelClient | None = None

    async def connect(self) -> None:
        km = self.serverapp.kernel_manager.get_kernel(self.kernel_id)
        # parent=km: the client then asks the kernel manager whether the process is
        # alive. Without it wait_for_ready judges by heartbeats with a 1 s deadline, and
        # on a loaded machine a late pong reads as "Kernel died before replying".
        client = AsyncKernelClient(parent=km)
        client.load_connection_info(km.get_connection_info(session=False))
        client.session.key = km.session.key
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
        except BaseException:
            client.stop_channels()
            raise
        self.client = client

    def close(self) -> None:
        if self.client is not None:
            self.client.stop_channels()

    async def state(self, since: int = 0) -> dict[str, Any]:
        response = await self.fetch("api", "memory-usage", "kernels", self.kernel_id, params={"since": str(since)})
        return json.loads(response.body)

    async def wait_for_hook(self, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = await self.state()
            if state["hook"] not in ("loading",) and state["pid"]:
                return state
            await asyncio.sleep(0.05)
        raise TimeoutError("the kernel never settled its hook state")

    def send(self, code: str, cell_id: str | None = None) -> str:
        """An execute_request; with ``cell_id``, its metadata names the cell as
        JupyterLab's does."""
        assert self.client is not None
        if cell_id is None:
            return self.client.execute(code, store_history=True, stop_on_error=True)
        content = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                   "allow_stdin": False, "stop_on_error": True}
        msg = self.client.session.msg("execute_request", content, metadata={"cellId": cell_id})
        self.client.shell_channel.send(msg)
        return msg["header"]["msg_id"]

    async def annotate(self, msg_id: str, cell_id: str, notebook_path: str = "test.ipynb") -> None:
        """What JupyterLab's annotator posts right after it sends an execute_request."""
        body = json.dumps({"msg_id": msg_id, "cell_id": cell_id, "notebook_path": notebook_path})
        response = await self.fetch("api", "memory-usage", "kernels", self.kernel_id, "executions",
                                    method="POST", body=body)
        assert response.code == 204

    async def wait_replies(self, msg_ids: list[str], timeout: float = 120) -> dict[str, dict]:
        assert self.client is not None
        replies: dict[str, dict] = {}
        deadline = time.monotonic() + timeout
        while len(replies) < len(msg_ids):
            msg = await self.client.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            parent_id = msg["parent_header"].get("msg_id")
            if parent_id in msg_ids:
                replies[parent_id] = msg
        return replies

    async def read_stdout(self, msg_id: str, timeout: float = 60) -> str:
        """What the execution printed, read from iopub up to its idle."""
        assert self.client is not None
        text = []
        deadline = time.monotonic() + timeout
        while True:
            msg = await self.client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                text.append(msg["content"]["text"])
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(text)

    async def wait_records(self, msg_ids: list[str], timeout: float = 30) -> list[dict[str, Any]]:
        """The final records of these executions, in the order given."""
        deadline = time.monotonic() + timeout
        while True:
            state = await self.state()
            records = {r["msg_id"]: r for r in state["executions"]}
            if all(m in records and records[m]["status"] != "running" for m in msg_ids):
                return [records[m] for m in msg_ids]
            if time.monotonic() > deadline:
                raise TimeoutError(f"records not final: {[records.get(m) for m in msg_ids]}; {self.monitor_summary()}")
            await asyncio.sleep(0.02)

    def monitor_summary(self) -> str:
        """What the kernel's monitor holds, for a failure's message."""
        monitor = self.serverapp.web_app.settings["memory_usage_monitor"].monitors.get(self.kernel_id)
        if monitor is None:
            return "no monitor"
        return (f"monitor: pid {monitor.pid}, hook {monitor.hook.state}, shared stream {monitor.source.shared_iopub is not None}, "
                f"own socket {monitor.source.iopub is not None}, open {list(monitor.tracker.open)}, restarts {monitor.watcher.restarts}")

    async def run(self, code: str, timeout: float = 120) -> dict[str, Any]:
        msg_id = self.send(code)
        await self.wait_replies([msg_id], timeout)
        (record,) = await self.wait_records([msg_id])
        return record

    async def run_all(self, codes: list[str], timeout: float = 180) -> list[dict[str, Any]]:
        msg_ids = [self.send(code) for code in codes]
        await self.wait_replies(msg_ids, timeout)
        return await self.wait_records(msg_ids)


async def start_kernel(fetch, serverapp, name: str = "python3") -> KernelSession:
    """A kernel started through the REST API, connected. Test kernels use IPC (see
    conftest.py), so nothing can take their sockets before they bind them: a kernel
    that does not answer is a failure of the test, not retried."""
    response = await fetch("api", "kernels", method="POST", body=json.dumps({"name": name}))
    session = KernelSession(fetch, serverapp, json.loads(response.body)["id"])
    await session.connect()
    return session


def kernel_with_numpy(fetch, serverapp, loop, load_kernel_hook: bool) -> KernelSession:
    """A started kernel whose hook has settled as configured, with numpy imported (for
    sync fixtures: pytest-jupyter runs the tests' coroutines, not the fixtures')."""
    session = loop.run_until_complete(start_kernel(fetch, serverapp))
    state = loop.run_until_complete(session.wait_for_hook())
    assert state["hook"] == ("active" if load_kernel_hook else "disabled"), state
    loop.run_until_complete(session.run("import numpy as np"))
    return session


PY312 = Path(__file__).resolve().parents[2] / ".venv-py312" / "bin" / "python"


@pytest.fixture(params=["python3", "python3.12"])
def kernel_name(request, jp_data_dir) -> str:
    """An IPython kernel on this Python (3.11) and one on Python 3.12, where the machine
    has one (scripts/setup.sh --with-browser-tests makes .venv-py312): the hook's code
    paths that differ by version (sys.monitoring) run on both."""
    if request.param == "python3.12":
        if not PY312.exists():
            pytest.skip("no Python 3.12 kernel here (.venv-py312): untested on 3.12 on this machine")
        spec = jp_data_dir / "kernels" / "python3.12"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [str(PY312), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3.12", "language": "python",
            # pytest-jupyter puts this interpreter's sys.path (3.11's) into PYTHONPATH.
            "env": {"PYTHONPATH": ""}}))
    return request.param


def real_pid(serverapp, kernel_id: str) -> int:
    return serverapp.kernel_manager.get_kernel(kernel_id).provisioner.process.pid


async def reconnect(kernel: KernelSession) -> None:
    """A restart may bring new ports: connect the test's client again."""
    kernel.close()
    await kernel.connect()


async def wait_state(kernel: KernelSession, predicate: Callable[[dict[str, Any]], bool], what: str,
                     timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        state = await kernel.state()
        if predicate(state):
            return state
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{what}: {state and {k: v for k, v in state.items() if k not in ('samples', 'executions')}}")


def record_of(state: dict[str, Any], msg_id: str) -> dict[str, Any] | None:
    return next((r for r in state["executions"] if r["msg_id"] == msg_id), None)


def as_datetime(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def mib(value: float) -> float:
    return value / MIB


def assert_close(actual: float, expected: float, rel: float, what: str) -> None:
    assert abs(actual - expected) <= rel * abs(expected), (
        f"{what}: {mib(actual):.2f} MiB, expected {mib(expected):.2f} MiB within {rel:.0%}"
    )


class ServerLog:
    """Every log record of the process while a server is under test, from any logger:
    the server's own log (where our extension writes) and the loggers where an
    exception escaping a callback lands (tornado, asyncio).

    Records are taken where a logger hands them to its handlers, not by a handler of
    ours: traitlets reconfigures an application's logger (and drops the handlers on
    it) when a logging setting of any application of that class changes."""

    def __init__(self) -> None:
        self.records: list[logging.LogRecord] = []
        self._call_handlers = original = logging.Logger.callHandlers
        records = self.records

        def call_handlers(logger: logging.Logger, record: logging.LogRecord) -> None:
            records.append(record)
            original(logger, record)

        logging.Logger.callHandlers = call_handlers  # type: ignore[method-assign]

    def close(self) -> None:
        logging.Logger.callHandlers = self._call_handlers  # type: ignore[method-assign]

    @staticmethod
    def _text(record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        return text

    def ours(self, min_level: int = logging.DEBUG) -> list[str]:
        """Our extension's messages at ``min_level`` or above, tracebacks included."""
        found = []
        for record in self.records:
            text = self._text(record)
            if record.levelno >= min_level and ("memory-usage" in text or "jupyterlab_memory_usage" in text
                                                or "MemoryUsage" in text):
                found.append(f"{record.levelname} {record.name}: {text}")
        return found

    def our_errors(self) -> list[str]:
        """Errors and tracebacks from our extension: a fault must end in neither."""
        errors = self.ours(logging.ERROR)
        for record in self.records:
            text = self._text(record)
            if record.levelno < logging.ERROR and record.exc_info and "jupyterlab_memory_usage" in text:
                errors.append(f"{record.levelname} {record.name}: {text}")
        return errors
