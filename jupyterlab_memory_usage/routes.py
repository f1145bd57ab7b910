"""REST routes under /api/memory-usage/, guarded like jupyter_server's kernel routes."""

from __future__ import annotations

import json
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from .hook_control import HookUnavailable
from .scheduler import MemoryMonitor

AUTH_RESOURCE = "kernels"
_MAX_ID_LENGTH = 256
_MAX_PATH_LENGTH = 4096


class MemoryUsageHandler(APIHandler):
    auth_resource = AUTH_RESOURCE

    @property
    def monitor(self) -> MemoryMonitor:
        return self.settings["memory_usage_monitor"]

    def kernel_monitor(self, kernel_id: str):
        monitor = self.monitor.get(kernel_id)
        if monitor is None:
            raise web.HTTPError(404, "Kernel does not exist: %s" % kernel_id[:_MAX_ID_LENGTH])
        return monitor

    def json_body(self) -> dict[str, Any]:
        """The request's body, which must be a JSON object (400 otherwise)."""
        try:
            body = json.loads(self.request.body or b"")
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: "[[[[..."
            body = None
        if not isinstance(body, dict):
            raise web.HTTPError(400, "The body must be a JSON object")
        return body

    def finish_json(self, payload: dict[str, Any]) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(payload))


class KernelsHandler(MemoryUsageHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.monitor.reconcile()
        kernels = [self._summary(m) for m in self.monitor.monitors.values()]
        self.finish_json({"kernels": kernels, "system_available": self.monitor.system_available_bytes})

    @staticmethod
    def _summary(monitor) -> dict[str, Any]:
        state = monitor.state()
        keys = ("kernel_id", "pid", "rss", "children_rss", "limit", "limit_source", "oom_kill_count", "method",
                "hook", "heap_mode", "execution_state", "reason")
        summary = {key: state[key] for key in keys}
        summary["id"] = monitor.kernel_id
        return summary


class KernelHandler(MemoryUsageHandler):
    @web.authenticated
    @authorized
    async def get(self, kernel_id: str) -> None:
        monitor = self.kernel_monitor(kernel_id)
        since = self._since()
        history = monitor.history
        if self.get_query_argument("history_id", history.history_id) != history.history_id:
            since = 0  # the client's numbering belongs to an earlier history: send it all
        payload = monitor.state()
        payload.update(
            system_available=self.monitor.system_available_bytes,
            history_id=history.history_id,
            seq=history.seq,
            executions=[r.to_json() for r in history.records_since(since)],
            samples=[s.to_json() for s in history.samples_since(since)],
        )
        self.finish_json(payload)

    def _since(self) -> int:
        raw = self.get_query_argument("since", "0")
        # isascii: str.isdigit() also accepts digits such as "²" that int() refuses.
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            raise web.HTTPError(400, "'since' must be a non-negative integer, got %r" % raw[:40])
        return int(raw)


class ExecutionsHandler(MemoryUsageHandler):
    @web.authenticated
    @authorized
    async def post(self, kernel_id: str) -> None:
        monitor = self.kernel_monitor(kernel_id)
        body = self._body()
        monitor.annotate(body["msg_id"], body.get("cell_id"), body.get("notebook_path"))
        self.set_status(204)
        self.finish()

    @web.authenticated
    @authorized
    async def delete(self, kernel_id: str) -> None:
        """Forget the kernel's history; clients see a new history_id and start over."""
        self.kernel_monitor(kernel_id).history.clear()
        self.set_status(204)
        self.finish()

    def _body(self) -> dict[str, Any]:
        body = self.json_body()
        msg_id = body.get("msg_id")
        if not isinstance(msg_id, str) or not msg_id or len(msg_id) > _MAX_ID_LENGTH:
            raise web.HTTPError(400, "'msg_id' must be a non-empty string of at most %d characters" % _MAX_ID_LENGTH)
        for key, limit in (("cell_id", _MAX_ID_LENGTH), ("notebook_path", _MAX_PATH_LENGTH)):
            value = body.get(key)
            if value is not None and (not isinstance(value, str) or len(value) > limit):
                raise web.HTTPError(400, "'%s' must be a string of at most %d characters, or null" % (key, limit))
        return body


class HeapModeHandler(MemoryUsageHandler):
    """Turn heap mode (tracemalloc in the kernel, through its hook) on or off."""

    @web.authenticated
    @authorized
    async def post(self, kernel_id: str) -> None:
        monitor = self.kernel_monitor(kernel_id)
        body = self.json_body()
        if not isinstance(body.get("enabled"), bool):
            raise web.HTTPError(400, "The body must be a JSON object with 'enabled': true or false")
        try:
            heap_mode = await monitor.set_heap_mode(body["enabled"])
        except HookUnavailable as e:
            raise web.HTTPError(409, str(e).replace("%", "%%")) from None
        pending = heap_mode is None
        self.set_status(202 if pending else 200)
        self.finish_json({"kernel_id": kernel_id, "heap_mode": monitor.state()["heap_mode"],
                          "requested": body["enabled"], "pending": pending})


class LineProfileHandler(MemoryUsageHandler):
    """Profile a cell's next run line by line (POST), or no longer (DELETE)."""

    @web.authenticated
    @authorized
    async def post(self, kernel_id: str) -> None:
        monitor = self.kernel_monitor(kernel_id)
        cell_id = self.json_body().get("cell_id")
        if not (cell_id is None or (isinstance(cell_id, str) and 0 < len(cell_id) <= _MAX_ID_LENGTH)):
            raise web.HTTPError(400, "'cell_id' must be a cell id of 1 to %d characters, or null for the next "
                                "cell" % _MAX_ID_LENGTH)
        await self._arm(monitor, kernel_id, "" if cell_id is None else cell_id)

    @web.authenticated
    @authorized
    async def delete(self, kernel_id: str) -> None:
        await self._arm(self.kernel_monitor(kernel_id), kernel_id, None)

    async def _arm(self, monitor, kernel_id: str, cell_id: str | None) -> None:
        try:
            answered = await monitor.arm_line_profile(cell_id)
        except HookUnavailable as e:
            raise web.HTTPError(409, str(e).replace("%", "%%")) from None
        self.set_status(200 if answered else 202)
        self.finish_json({"kernel_id": kernel_id, **monitor.line_profile_state(), "pending": not answered})


class VariablesHandler(MemoryUsageHandler):
    """The kernel's variables and what each holds (IPython kernels, through the hook)."""

    @web.authenticated
    @authorized
    async def get(self, kernel_id: str) -> None:
        monitor = self.kernel_monitor(kernel_id)
        try:
            payload = await monitor.variables.get()
        except HookUnavailable as e:
            raise web.HTTPError(409, str(e).replace("%", "%%")) from None
        self.finish_json(payload)


class NotebookRunsHandler(MemoryUsageHandler):
    """The last runs of a notebook's cells kept from earlier sessions."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        path = self.get_query_argument("path", "")
        if not path or len(path) > _MAX_PATH_LENGTH:
            raise web.HTTPError(400, "'path' must be a notebook path of 1 to %d characters" % _MAX_PATH_LENGTH)
        runs = await self.monitor.earlier_runs(path)
        self.finish_json({"path": path, "executions": runs})


def route_handlers(base_url: str) -> list[tuple[str, type[APIHandler]]]:
    kernel = r"(?P<kernel_id>[^/]+)"
    prefix = url_path_join(base_url, "api", "memory-usage")
    return [
        (url_path_join(prefix, "kernels") + "/?", KernelsHandler),
        (url_path_join(prefix, "kernels", kernel) + "/?", KernelHandler),
        (url_path_join(prefix, "kernels", kernel, "executions") + "/?", ExecutionsHandler),
        (url_path_join(prefix, "kernels", kernel, "heap-mode") + "/?", HeapModeHandler),
        (url_path_join(prefix, "kernels", kernel, "line-profile") + "/?", LineProfileHandler),
        (url_path_join(prefix, "kernels", kernel, "variables") + "/?", VariablesHandler),
        (url_path_join(prefix, "notebooks") + "/?", NotebookRunsHandler),
    ]
