"""The server's side of the in-kernel hook: loading it, its ring file, heap mode.

Everything the server asks the hook goes as a silent execution on a shell connection
of its own (no history, no output, no name left behind); its reply's
``user_expressions`` carry the hook's status. The iopub of those requests belongs to
no cell, and the tracker asks ``is_own_request`` before taking a message as a cell's.
"""

from __future__ import annotations

import ast
import asyncio
import json
import time
from pathlib import Path
from typing import Any, Callable

from . import (kernel_bindings, kernel_heap, kernel_hook, kernel_lines, kernel_ring, kernel_statements,
               kernel_variables)
from .config import MemoryUsage
from .figures import HOOK_SAMPLED, HookReport
from .ring import Ring

HOOK_DISABLED = "disabled"
HOOK_NOT_APPLICABLE = "not_applicable"
HOOK_LOADING = "loading"
HOOK_ACTIVE = "active"
HOOK_FAILED = "failed"

# Why a request to the hook cannot be made, by hook state ({} names what it is for).
_UNAVAILABLE = {
    HOOK_DISABLED: "{} needs the in-kernel hook, which is turned off (MemoryUsage.load_kernel_hook) "
    "or not loaded into this kernel (not running)",
    HOOK_NOT_APPLICABLE: "{} needs the in-kernel hook, which works in IPython kernels only",
    HOOK_LOADING: "The in-kernel hook is still loading; try again in a moment",
    HOOK_FAILED: "{} needs the in-kernel hook, which could not be loaded into this kernel",
}
# How long POST heap-mode waits for the kernel's reply before answering "pending".
HEAP_MODE_REPLY_S = 5.0
_LOADER_RETRY_S = 2.0
# Sent in this order into one namespace: the hook uses what the others define.
_SOURCES = tuple((module.__name__, Path(module.__file__).read_text())
                 for module in (kernel_ring, kernel_statements, kernel_lines, kernel_heap, kernel_bindings,
                                kernel_variables, kernel_hook))
STATUS_EXPRESSION = f"get_ipython().{kernel_hook.STATE_ATTR}.status()"

ReplyHandler = Callable[[dict[str, Any], "dict[str, Any] | None"], None]


class HookUnavailable(Exception):
    """The hook cannot do what was asked of it: none is active, the kernel cannot be
    reached, or it refused."""


def is_ipython_kernel(kernel_manager: Any) -> bool:
    try:
        spec = kernel_manager.kernel_spec
    except Exception:  # a missing kernelspec is not ours to report
        return False
    if spec is None or (spec.language or "").lower() != "python":
        return False
    return any("ipykernel" in str(arg) for arg in spec.argv)


def hook_loader_code(ring_path: str | None = None,
                     max_statements: int = kernel_ring.DEFAULT_MAX_STATEMENTS) -> str:
    # One expression: the silent execution runs in the user's namespace, and must
    # leave no name behind there.
    execs = "".join(f"exec(compile({source!r}, {'<' + name + '>'!r}, 'exec'), ns), " for name, source in _SOURCES)
    return (
        f"(lambda ns: ({execs}"
        f"ns['load_ipython_extension'](__import__('IPython').get_ipython(), {ring_path!r}, {int(max_statements)!r})))"
        "({'__name__': 'jupyterlab_memory_usage_kernel_hook'})"
    )


def hook_status(content: dict[str, Any]) -> dict[str, Any] | None:
    """The hook's status in an execute_reply, as its user_expressions returned it."""
    try:
        text = content["user_expressions"]["hook"]["data"]["text/plain"]
        status = ast.literal_eval(text)
    except (KeyError, TypeError, ValueError, SyntaxError):
        return None
    return status if isinstance(status, dict) else None


class HookControl:
    def __init__(self, kernel_id: str, kernel_manager: Any, config: MemoryUsage, log: Any,
                 on_active: Callable[[], None], warn_peak_not_reset: Callable[[str], None]):
        self.kernel_id = kernel_id
        self.km = kernel_manager
        self.config = config
        self.log = log
        self.on_active = on_active
        self.warn_peak_not_reset = warn_peak_not_reset
        self.state = HOOK_DISABLED
        self.peak_reset = False
        # The ring file the hook writes each cell's figures into (None: they come by
        # iopub, or not at all).
        self.ring: Ring | None = None
        # Whether tracemalloc runs in the kernel (as its hook last said), and whether
        # the user wants it (to turn it back on after a restart, if configured).
        self.heap_mode = False
        self.heap_mode_wanted = False
        # The cell whose next run the hook profiles line by line ("" any, None none),
        # and how, as the hook last said.
        self.line_profile_armed: str | None = None
        self.line_profile_backend: str | None = None
        self._pid: int | None = None
        # Our silent requests whose iopub is no cell's: each id is dropped at its idle.
        self._own_ids: set[str] = set()
        # Requests whose reply is awaited, apart from the set above: the reply comes on
        # another socket than the idle, and may be read after it.
        self._replies: dict[str, tuple[Any, ReplyHandler]] = {}
        self._loader_ids: set[str] = set()
        self._loader_timer: asyncio.TimerHandle | None = None
        self._loader_deadline_monotonic = 0.0
        # A kernel without a local process: requests go through its remote channel's
        # shell (``use_remote``), their replies come back to ``on_remote_reply``.
        self._send_remote: Callable[[dict[str, Any]], bool] | None = None

    @property
    def active(self) -> bool:
        return self.state == HOOK_ACTIVE

    @property
    def exact_peak(self) -> bool:
        return self.state == HOOK_ACTIVE and self.peak_reset

    @property
    def reports_by_ring(self) -> bool:
        return self.state == HOOK_ACTIVE and self.ring is not None

    # ----- loading -----------------------------------------------------------------

    def load(self, pid: int | None) -> None:
        """Load the hook into a local kernel's process ``pid``: its cells' figures come
        by the ring file (or iopub where the kernel cannot open it)."""
        if self.config.load_kernel_hook and not is_ipython_kernel(self.km):
            self._pid, self.state = pid, HOOK_NOT_APPLICABLE
            return
        self._start_loading(pid, with_ring=True)

    def use_remote(self, send_shell: Callable[[dict[str, Any]], bool]) -> None:
        """Send every request through a remote kernel's own client (a gateway's
        websocket): there is no shell socket to connect to, and no ring file."""
        self._send_remote = send_shell

    def load_remote(self, pid: int) -> None:
        """Load the hook into a remote IPython kernel whose process answers as ``pid`` on
        its own host: it reports each cell on iopub (no ring), which the remote channel
        hands over like the cell's busy and idle."""
        self._start_loading(pid, with_ring=False)

    def _start_loading(self, pid: int | None, with_ring: bool) -> None:
        self._pid = pid
        if not self.config.load_kernel_hook:
            self.state = HOOK_DISABLED
            return
        if with_ring:
            self._open_ring()
        else:
            self._close_ring()
        self.state = HOOK_LOADING
        self._loader_deadline_monotonic = time.monotonic() + self.config.hook_load_timeout_s
        self._send_loader()

    def _send_loader(self) -> None:
        """Send the loader now, and again until a reply comes: a request sent while the
        kernel is still binding its ports (or while an old process holds them) can be
        lost, and loading twice only replaces the hook."""
        self._loader_timer = None
        if self.state != HOOK_LOADING:
            return
        if time.monotonic() >= self._loader_deadline_monotonic:
            self.log.warning("memory-usage: kernel %s did not load the hook in time; measuring it from outside",
                             self.kernel_id)
            self._fail()
            return
        code = hook_loader_code(self.ring.path if self.ring is not None else None,
                                self.config.max_statements_per_cell)
        try:
            self._loader_ids.add(self._silent_request(code, self._on_loader_reply))
        except Exception as e:  # noqa: BLE001
            self.log.warning("memory-usage: cannot load the hook into kernel %s: %s", self.kernel_id, e)
            self._fail()
            return
        self._loader_timer = asyncio.get_event_loop().call_later(_LOADER_RETRY_S, self._send_loader)

    def _on_loader_reply(self, content: dict[str, Any], status: dict[str, Any] | None) -> None:
        self._stop_loading()
        if self.state != HOOK_LOADING:
            return
        if content.get("status") == "ok" and status is not None and status.get("pid") == self._pid:
            self.state = HOOK_ACTIVE
            self.peak_reset = bool(status.get("peak_reset"))
            if not self.peak_reset:
                self.warn_peak_not_reset("the kernel could not write its /proc/self/clear_refs")
            # A new process starts without tracing.
            self._note_status(status)
            if self.heap_mode_wanted and not self.heap_mode and self.config.heap_mode_after_restart:
                self._send_heap_mode(True)
            if not status.get("ring"):
                if self.ring is not None:
                    self.log.info("memory-usage: kernel %s could not open its ring file (%s); its hook reports by iopub",
                                  self.kernel_id, status.get("ring_error"))
                self._close_ring()
            self.on_active()
            return
        self.log.warning(
            "memory-usage: kernel %s could not load the hook (%s: %s); measuring it from outside",
            self.kernel_id, content.get("ename"), content.get("evalue") or content.get("user_expressions"),
        )
        self._fail()

    def _fail(self) -> None:
        self.state = HOOK_FAILED
        self._stop_loading()
        self._close_ring()

    def _stop_loading(self) -> None:
        if self._loader_timer is not None:
            self._loader_timer.cancel()
            self._loader_timer = None
        for msg_id in self._loader_ids:
            self._forget_reply(msg_id)
        self._loader_ids.clear()

    def close(self) -> None:
        """The process is gone: its hook with it."""
        self.state = HOOK_DISABLED
        self._stop_loading()
        for msg_id in list(self._replies):
            self._forget_reply(msg_id)
        self._own_ids.clear()
        self._close_ring()

    # ----- the cell reports --------------------------------------------------------

    def report_in_ring(self, msg_id: str) -> HookReport | None:
        return self.ring.lookup(msg_id) if self.ring is not None else None

    def note_method(self, report: HookReport) -> None:
        if report.method == HOOK_SAMPLED and self.peak_reset:
            # The hook stops resetting the peak after its first failed write.
            self.peak_reset = False
            self.warn_peak_not_reset("the kernel's write to /proc/self/clear_refs failed")

    def is_own_request(self, msg_type: Any, parent_id: str, content: dict[str, Any]) -> bool:
        if parent_id not in self._own_ids:
            return False
        if msg_type == "status" and content.get("execution_state") == "idle":
            self._own_ids.discard(parent_id)
        return True

    def _open_ring(self) -> None:
        self._close_ring()
        try:
            self.ring = Ring(self._pid or 0, self.config.max_statements_per_cell)
        except OSError as e:
            self.log.info("memory-usage: no ring file for kernel %s (%s); its hook reports by iopub", self.kernel_id, e)
            self.ring = None

    def _close_ring(self) -> None:
        if self.ring is not None:
            self.ring.close()
            self.ring = None

    # ----- heap mode, line profile: calls on the hook --------------------------------

    async def set_heap_mode(self, enabled: bool, timeout: float = HEAP_MODE_REPLY_S) -> bool | None:
        """Ask the kernel's hook to start tracemalloc, or to stop all tracing.

        Returns whether heap mode is on, as the kernel says; None when its reply did
        not come within ``timeout`` (a cell still running: the request waits in the
        kernel's queue and ``heap_mode`` changes when it has run)."""
        self.require_active("Heap mode")
        self.heap_mode_wanted = enabled
        status = await self._wait(self._send_heap_mode(enabled), timeout)
        return None if status is None else self.heap_mode

    def _send_heap_mode(self, enabled: bool) -> asyncio.Future:
        return self._call_hook(f"set_heap_mode({bool(enabled)!r}, {int(self.config.heap_mode_frames)})",
                               "change heap mode")

    async def arm_line_profile(self, cell_id: str | None, timeout: float = HEAP_MODE_REPLY_S) -> bool:
        """Have the hook profile the next run of this cell line by line ("": whatever
        cell runs next; None: no longer). Returns False when the kernel's reply did not
        come within ``timeout`` (it comes when the running cell ends)."""
        self.require_active("Profiling by line")
        return await self._wait(self._call_hook(f"arm_line_profile({cell_id!r})", "arm the line profile"),
                                timeout) is not None

    def require_active(self, what: str) -> None:
        if self.state != HOOK_ACTIVE:
            raise HookUnavailable(_UNAVAILABLE.get(self.state, _UNAVAILABLE[HOOK_FAILED]).format(what))

    @staticmethod
    async def _wait(future: asyncio.Future, timeout: float) -> dict[str, Any] | None:
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except asyncio.TimeoutError:
            return None

    def _note_status(self, status: dict[str, Any]) -> None:
        self.heap_mode = bool(status.get("heap_mode"))
        armed = status.get("line_profile_armed")
        self.line_profile_armed = armed if isinstance(armed, str) else None
        backend = status.get("line_profile_backend")
        self.line_profile_backend = backend if isinstance(backend, str) else None

    def _call_hook(self, call: str, what: str) -> asyncio.Future:
        """Call a method of the kernel's hook silently; the future gets the hook's
        status read after it (HookUnavailable when it failed)."""
        future: asyncio.Future = asyncio.get_event_loop().create_future()
        # Read an error nobody awaits any more (a reply later than the route waited).
        future.add_done_callback(lambda f: f.cancelled() or f.exception())

        def on_reply(content: dict[str, Any], status: dict[str, Any] | None) -> None:
            if content.get("status") == "ok" and status is not None:
                self._note_status(status)
                if not future.done():
                    future.set_result(status)
                return
            self.log.warning("memory-usage: kernel %s could not %s (%s: %s)",
                             self.kernel_id, what, content.get("ename"), content.get("evalue"))
            if not future.done():
                future.set_exception(HookUnavailable(
                    "The kernel's hook could not %s: %s: %s" % (what, content.get("ename"), content.get("evalue"))))

        # A statement whose value is None: the silent execution leaves no name and no
        # output behind.
        code = f"get_ipython().{kernel_hook.STATE_ATTR}.{call}"
        try:
            self._silent_request(code, on_reply)
        except Exception as e:  # noqa: BLE001
            future.set_exception(HookUnavailable(f"Cannot reach the kernel: {e}"))
        return future

    def ask_hook(self, call: str, what: str) -> asyncio.Future:
        """Evaluate a call on the kernel's hook that returns a JSON string, silently;
        the future gets the decoded value (HookUnavailable when it failed)."""
        future: asyncio.Future = asyncio.get_event_loop().create_future()
        future.add_done_callback(lambda f: f.cancelled() or f.exception())

        def on_reply(content: dict[str, Any], status: dict[str, Any] | None) -> None:
            value = (content.get("user_expressions") or {}).get("value") or {}
            try:
                if value.get("status") != "ok":
                    raise HookUnavailable("The kernel's hook could not %s: %s: %s"
                                          % (what, value.get("ename"), value.get("evalue")))
                decoded = json.loads(ast.literal_eval(value["data"]["text/plain"]))
            except HookUnavailable as e:
                self.log.warning("memory-usage: kernel %s: %s", self.kernel_id, e)
                future.done() or future.set_exception(e)
                return
            except (KeyError, TypeError, ValueError, SyntaxError) as e:
                future.done() or future.set_exception(HookUnavailable(
                    "The kernel's hook gave an answer that cannot be read (%s)" % e))
                return
            future.done() or future.set_result(decoded)

        try:
            self._silent_request("", on_reply, {"value": f"get_ipython().{kernel_hook.STATE_ATTR}.{call}"})
        except Exception as e:  # noqa: BLE001
            future.set_exception(HookUnavailable(f"Cannot reach the kernel: {e}"))
        return future

    # ----- one silent request ------------------------------------------------------

    def _silent_request(self, code: str, on_reply: ReplyHandler,
                        expressions: dict[str, str] | None = None) -> str:
        """Run ``code`` silently on a shell connection of its own; ``on_reply`` gets the
        reply's content and the hook's status read back with it (read through the
        reply, which cannot be lost the way an iopub message published before our
        subscription took hold can)."""
        msg = self.km.session.msg(
            "execute_request",
            {
                "code": code,
                "silent": True,
                "store_history": False,
                "user_expressions": {"hook": STATUS_EXPRESSION, **(expressions or {})},
                "allow_stdin": False,
                # A failure here must never abort the user's queued cells.
                "stop_on_error": False,
            },
        )
        msg_id = msg["header"]["msg_id"]
        if self._send_remote is not None:
            self._own_ids.add(msg_id)
            self._replies[msg_id] = (None, on_reply)
            if not self._send_remote(msg):
                self._forget_reply(msg_id)
                self._own_ids.discard(msg_id)
                raise ConnectionError("the kernel's remote channel is closed")
            return msg_id
        stream = self.km.connect_shell()
        self._own_ids.add(msg_id)
        self._replies[msg_id] = (stream, on_reply)
        stream.on_recv(self._on_reply)
        self.km.session.send(stream, msg)
        return msg_id

    def _on_reply(self, parts: list[bytes]) -> None:
        try:
            _, msg_list = self.km.session.feed_identities(parts, copy=True)
            parent_id = json.loads(msg_list[2]).get("msg_id")
            content = json.loads(msg_list[4])
        except (ValueError, KeyError, IndexError, AttributeError):
            return
        handler = self._forget_reply(parent_id)
        if handler is not None:
            handler(content, hook_status(content))

    def on_remote_reply(self, msg: dict[str, Any]) -> None:
        """A shell reply on a remote kernel's channel: ours, if we are waiting for it."""
        parent_id = (msg.get("parent_header") or {}).get("msg_id")
        handler = self._forget_reply(parent_id) if isinstance(parent_id, str) else None
        if handler is not None:
            content = msg.get("content") or {}
            handler(content, hook_status(content))

    def _forget_reply(self, msg_id: str) -> ReplyHandler | None:
        pending = self._replies.pop(msg_id, None)
        if pending is None:
            return None
        stream, handler = pending
        if stream is not None:
            try:
                stream.close(linger=0)
            except Exception:  # noqa: BLE001 - a socket that cannot close is dropped all the same
                pass
        return handler
