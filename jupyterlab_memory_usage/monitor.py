"""Watching each kernel of this server: its process, its iopub channel, its executions.

One ``KernelMonitor`` per running kernel follows that kernel's process (a restart
brings a new PID), reads its iopub messages (through jupyter_server's own activity
stream, see ``activity.py``, or a socket of its own), and turns ``busy`` ... ``idle``
of each ``execute_request`` into an execution record. Where the in-kernel hook is
loaded, its figures (taken at the cell's real start and end) replace the ones read
from outside. ``MemoryMonitor`` owns the monitors and one periodic tick that samples
them all, so the cost does not grow with timers.
"""

from __future__ import annotations

import ast
import asyncio
import json
import re
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import zmq

from . import kernel_hook
from .activity import SharedIopub
from .config import MemoryUsage
from .limits import (
    MemoryCgroup,
    MemoryLimit,
    OomKillReader,
    available_memory_bytes,
    limit_of,
    memory_cgroups,
    oom_kill_count,
    oom_kill_file,
)
from .probes import ProcessGone, children_rss_bytes, descendants_rss_bytes, make_probe
from .remote import LIMIT_SOURCE, PROBE_METHOD, RECORD_METHOD, RemoteKernelChannel, UsageReading, is_remote_kernel
from .persistence import RecordDatabase
from .ring import Ring
from .store import (ABORTED, DIED, ERROR, EXITED, KILLED, OK, OUT_OF_MEMORY, RUNNING, SERVER_STOPPED, SIGNAL,
                    ExecutionRecord, KernelHistory)

KERNEL_ACTIONS_SCHEMA = "https://events.jupyter.org/jupyter_server/kernel_actions/v1"
_RELEVANT_IOPUB = frozenset({"status", "execute_input", "error", "comm_msg"})
# A header holds its msg_type as a JSON string: a header without any of these cannot be
# relevant, and is not parsed (outputs are most of a kernel's messages).
_RELEVANT_HEADER = re.compile(b"|".join(re.escape(f'"{t}"'.encode()) for t in sorted(_RELEVANT_IOPUB)))
# execute_input carries the cell's code, of any length, and only its execution_count is
# wanted. In JSON text every quote inside a string is escaped, so '"execution_count":'
# can only be the key.
_EXECUTION_COUNT = re.compile(rb'"execution_count"\s*:\s*(\d+)')
# Frames are decoded to str first: json.loads on bytes guesses their encoding each time.
_json_decode = json.JSONDecoder().decode
# A monitor on a socket of its own tries again to share the activity stream at each tick
# at first (the server watches a new kernel only once it has started, after we attached),
# then less and less often, up to this.
_SHARE_RETRY_MAX_S = 5.0
# How long our own iopub socket stays open after the monitor moved to the shared stream.
_SWITCH_OVERLAP_S = 1.0
# How many of the last messages read on our own socket are recognised on the shared one.
_RECENT_OWN_IDS = 256
_LOADER_RETRY_S = 2.0
# How often the tick looks for new, dead and restarted kernels (a started, restarted or
# shut down kernel is also noticed at once through the server's kernel action events; a
# busy kernel that dies fails its next reading).
_RECONCILE_S = 0.5
# A kernel without a local process, restarted: its first reading is asked for again
# this often (the request sent during the restart may have gone to the old process).
_RESTART_READING_RETRY_S = 1.0
# How long an unreadable process may take to become waitable before it is taken as
# gone without an exit status.
_EXIT_STATUS_WAIT_S = 3.0
_HOOK_SOURCE = Path(kernel_hook.__file__).read_text()
_SIGKILL = 9  # signal.SIGKILL does not exist on Windows

# How long POST heap-mode waits for the kernel's reply before answering "pending".
_HEAP_MODE_REPLY_S = 5.0

# Hook states reported by the API.
HOOK_DISABLED = "disabled"
HOOK_NOT_APPLICABLE = "not_applicable"
HOOK_LOADING = "loading"
HOOK_ACTIVE = "active"
HOOK_FAILED = "failed"


_HEAP_UNAVAILABLE = {
    HOOK_DISABLED: "Heap mode needs the in-kernel hook, which is turned off (MemoryUsage.load_kernel_hook) "
    "or not loaded into this kernel (not running)",
    HOOK_NOT_APPLICABLE: "Heap mode needs the in-kernel hook, which works in IPython kernels only",
    HOOK_LOADING: "The in-kernel hook is still loading; try again in a moment",
    HOOK_FAILED: "Heap mode needs the in-kernel hook, which could not be loaded into this kernel",
}


class HeapModeUnavailable(Exception):
    """Heap mode cannot be changed for this kernel (no active hook)."""


_UNRESOLVED = object()  # the oom_kill file of a kernel's cgroups, not looked for yet


def _parse_date(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


def _hook_loader_code(ring_path: str | None = None) -> str:
    # One expression: the silent execution runs in the user's namespace, and must
    # leave no name behind there.
    return (
        "(lambda ns: (exec(compile({src!r}, '<jupyterlab_memory_usage.kernel_hook>', 'exec'), ns),"
        " ns['load_ipython_extension'](__import__('IPython').get_ipython(), {ring!r})))"
        "({{'__name__': 'jupyterlab_memory_usage_kernel_hook'}})"
    ).format(src=_HOOK_SOURCE, ring=ring_path)


def is_ipython_kernel(kernel_manager: Any) -> bool:
    try:
        spec = kernel_manager.kernel_spec
    except Exception:  # a missing kernelspec is not ours to report
        return False
    if spec is None or (spec.language or "").lower() != "python":
        return False
    return any("ipykernel" in str(arg) for arg in spec.argv)


def local_process(kernel_manager: Any) -> Any | None:
    """The kernel's ``Popen`` when a local provisioner started it, else None."""
    provisioner = getattr(kernel_manager, "provisioner", None)
    process = getattr(provisioner, "process", None)
    if process is None or getattr(process, "pid", None) is None:
        return None
    return process


def _has_exited(process: Any) -> bool:
    """True once the process has exited; reaps it if it is a zombie, as the kernel
    manager's own poll would (``Popen`` keeps the exit status for it)."""
    try:
        return process.poll() is not None
    except Exception:  # noqa: BLE001 - a process object without poll() is taken as alive
        return False


@dataclass
class _OpenExecution:
    """An execute_request between its busy and idle, not yet known to be a real cell."""

    msg_id: str
    busy_time: float | None
    record: ExecutionRecord | None = None
    saw_error: bool = False
    hook_report: dict[str, Any] | None = None
    saw_input: bool = False
    rss_peak_seen: int | None = None
    # The cgroup's oom_kill count when the execution started, to tell whether the
    # out-of-memory killer struck during it.
    oom_kill_count_start: int | None = None
    # With MemoryUsage.count_children: the kernel's own rss at the start (the record's
    # figures then hold kernel + children), the children's rss read at busy, and the
    # largest children figure seen during the execution.
    kernel_rss_start: int | None = None
    children_start: int | None = None
    children_max: int | None = None


class KernelMonitor:
    def __init__(self, kernel_id: str, kernel_manager: Any, config: MemoryUsage, log: Any,
                 force_psutil: bool = False):
        self.kernel_id = kernel_id
        self.km = kernel_manager
        self.config = config
        self.log = log
        self.force_psutil = force_psutil
        self.history = KernelHistory(config.max_executions, config.max_samples)
        # Called with each record once it is final (and again if annotated later).
        self.on_final: Callable[[ExecutionRecord], None] = lambda record: None
        self.on_busy: Callable[[], None] = lambda: None
        self.pid: int | None = None
        self.process: Any | None = None
        self.probe: Any | None = None
        self.iopub: Any | None = None  # a socket of our own
        self.shared_iopub: SharedIopub | None = None  # or jupyter_server's activity stream
        self._share_retry_at = 0.0
        self._share_retry_delay_s = 0.0
        # While both the shared stream and our own socket are open (a moment after the
        # switch): until when, and the ids of the messages handled, each handled once.
        self._own_iopub_until = 0.0
        self._seen_during_switch: set[str] | None = None
        self._recent_own_ids: deque[str] = deque(maxlen=_RECENT_OWN_IDS)
        self.shell: Any | None = None
        self.hook_state = HOOK_DISABLED
        self.hook_peak_reset = False
        # The ring file the hook writes each cell's figures into (None: they come by
        # iopub, or not at all).
        self.ring: Ring | None = None
        # Our silent requests (loader, heap mode), whose iopub is no cell's: each id
        # is dropped at its idle.
        self._loader_msg_ids: set[str] = set()
        # Loaders whose reply is awaited. Apart from the set above: the reply comes on
        # another socket than the idle, and may be read after it.
        self._loader_reply_ids: set[str] = set()
        self._hook_timeout: asyncio.TimerHandle | None = None
        self._hook_deadline = 0.0
        # Heap mode: whether tracemalloc runs in the kernel (as its hook last said), and
        # whether the user wants it (to turn it back on after a restart, if configured).
        self.heap_mode = False
        self._heap_mode_wanted = False
        self._heap_requests: dict[str, tuple[Any, asyncio.Future]] = {}
        self.open: dict[str, _OpenExecution] = {}
        # msg_id -> (cell_id, notebook_path, when the annotation came)
        self._annotations: OrderedDict[str, tuple[str | None, str | None, float]] = OrderedDict()
        self.rss_bytes: int | None = None
        self.hwm_bytes: int | None = None
        self.children_rss_bytes: int | None = None
        # When the figure above was read (a scan's start): a periodic scan that ends
        # after a fresher reading must not put its older figure back.
        self.children_read_at = 0.0
        self.last_sample_time = 0.0
        self.limit: MemoryLimit | None = None
        # The process's memory cgroups, kept after it exits to read its oom_kill count.
        self.cgroups: list[MemoryCgroup] = []
        self.oom_kill_count: int | None = None
        self._oom_kill_reader: Any = _UNRESOLVED
        self.reason: str | None = None
        self.reason_message: str | None = None
        # A kernel without a local process, read through its usage_request (remote.py).
        self.remote: RemoteKernelChannel | None = None
        self._remote_pid: int | None = None  # the PID it answers from, on its own host
        # Restarted by this server, not yet read since: asked until it answers (a request
        # sent while the new process was starting can be lost with the old one).
        self._remote_unread_since_restart = False
        self.process_state = "starting"
        self.restarts = 0
        self._attached_before = False
        self._unreadable_since: float | None = None
        self._last_final_status: str | None = None
        # True while the high-water mark counts from the end of the previous execution,
        # which the outside method needs for an exact peak.
        self._outside_hwm_valid = False
        # A failed clear_refs write is said once per kernel, not once per cell.
        self._peak_warning_given = False

    # ----- process lifecycle -------------------------------------------------------

    def check_process(self) -> None:
        """Attach to the kernel's current process; notice a death or a new PID."""
        if self.remote is not None or is_remote_kernel(self.km):
            self._watch_remote()
            return
        process = local_process(self.km)
        if process is not None and _has_exited(process):
            # Dead, and not yet replaced by the restarter: nothing to watch until it
            # is. Attaching to it would report a dead PID as an idle kernel.
            if self.pid is not None:
                self._process_gone()
            return
        pid = process.pid if process is not None else None
        if pid == self.pid:
            if pid is not None:
                self._check_iopub()
            return
        if self.pid is not None:
            self._process_gone()
        if process is not None:
            # Counted here, not where the old process goes: a death noticed by a failed
            # sample leaves no PID behind, and the next one is a restart all the same.
            if self._attached_before:
                self.restarts += 1
            self._attach(process)
        else:
            self.reason = "no_local_process"

    def _watch_remote(self) -> None:
        """No local process: the kernel's iopub and its usage replies come through one
        client of the kernel manager's own (a gateway's websocket), polled each tick."""
        if self.remote is None:
            self.reason = "no_local_process"
            self.remote = RemoteKernelChannel(
                self.kernel_id, self.km, self.log,
                reply_timeout_s=self.config.usage_request_timeout_s,
                max_unanswered=self.config.usage_request_max_unanswered,
                relevant_iopub=_RELEVANT_IOPUB, on_iopub=self._on_remote_iopub,
                on_reading=self._on_usage_reading, on_not_supported=self._on_not_supported,
            )
            self.remote.open()
        self.remote.poll()

    def _on_usage_reading(self, reading: UsageReading) -> None:
        if reading.pid is not None and self._remote_pid is not None and reading.pid != self._remote_pid:
            # A new process answers: the kernel was restarted (or died and was restarted
            # by its host), and what ran in the old one ended with it.
            self.log.info("memory-usage: kernel %s now answers from pid %s (was %s)", self.kernel_id,
                          reading.pid, self._remote_pid)
            self._process_gone()
            self.restarts += 1
        self._remote_pid = reading.pid
        self._remote_unread_since_restart = False
        self.reason = self.reason_message = None
        self.process_state = "alive"
        if reading.host_memory_bytes:
            self.limit = MemoryLimit(reading.host_memory_bytes, LIMIT_SOURCE)
        self.rss_bytes, self.last_sample_time = reading.memory_bytes, time.time()
        self._apply_reading(reading.time, reading.memory_bytes, None)

    def remote_restarted(self) -> None:
        """This server restarted a kernel without a local process: what ran in the old
        process ended with it, and the next reading is the new one's."""
        if self.remote is None or self.remote.gave_up:
            return
        self._process_gone()
        self.restarts += 1
        self._remote_pid = None
        self._remote_unread_since_restart = True
        self.remote.request()

    def _on_not_supported(self, why: str) -> None:
        self.reason, self.reason_message = "not_supported", why

    def _attach(self, process: Any) -> None:
        self.process = process
        self.pid = process.pid
        self._attached_before = True
        self._unreadable_since = None
        try:
            self.probe = make_probe(self.pid, force_psutil=self.force_psutil)
        except (ProcessGone, RuntimeError) as e:
            self.log.info("memory-usage: cannot read kernel %s (pid %s): %s", self.kernel_id, self.pid, e)
            self.probe = None
            self.reason = "not_supported"
            return
        self.reason = None
        self.process_state = "alive"
        self._outside_hwm_valid = False
        # The machine's memory, unless the process's cgroups say less.
        self.cgroups, self.limit, self.oom_kill_count = [], limit_of([]), None
        self._forget_oom_kill_file()
        self.refresh_limit()
        self._connect_iopub()
        self.sample()
        self._load_hook()

    def refresh_limit(self) -> None:
        if self.pid is not None:
            self.set_limit(read_cgroup_state(self.pid))

    def set_limit(self, cgroup_state: tuple[list[MemoryCgroup], MemoryLimit | None, int | None] | None) -> None:
        # None: the process's cgroup file could not be read (it has just exited, or the
        # system has no cgroups); what was known stays.
        if cgroup_state is not None:
            self.cgroups, self.limit, self.oom_kill_count = cgroup_state
            self._forget_oom_kill_file()

    def _read_oom_kill_count(self) -> int | None:
        if self._oom_kill_reader is _UNRESOLVED:
            path = oom_kill_file(self.cgroups)
            self._oom_kill_reader = OomKillReader(path) if path else None
        return self._oom_kill_reader.read() if self._oom_kill_reader else None

    def _forget_oom_kill_file(self) -> None:
        if isinstance(self._oom_kill_reader, OomKillReader):
            self._oom_kill_reader.close()
        self._oom_kill_reader = _UNRESOLVED

    def _connect_iopub(self) -> None:
        self._close_streams()
        if self.config.share_activity_stream:
            self.shared_iopub = SharedIopub.attach(self.km, self._on_iopub)
            if self.shared_iopub is not None:
                return
            self._share_retry_at, self._share_retry_delay_s = 0.0, 0.0
        self._open_own_iopub()

    def _open_own_iopub(self) -> None:
        try:
            self.iopub = self.km.connect_iopub()
        except Exception as e:  # noqa: BLE001 - a kernel we cannot reach is reported, not raised
            self.log.warning("memory-usage: cannot listen to kernel %s: %s", self.kernel_id, e)
            self.iopub = None
            return
        self.iopub.on_recv(self._on_iopub)

    def _process_gone(self) -> None:
        """The process we watched has exited: close what is open, keep the history."""
        exit_code = None
        if self.process is not None:
            try:
                exit_code = self.process.poll()
            except Exception:  # noqa: BLE001
                exit_code = getattr(self.process, "returncode", None)
        # The killer counts a kill before it sends SIGKILL: by the time the exit status
        # can be read, the count includes it.
        oom_kill_count_before = self.oom_kill_count
        oom_kill_count_now = self._read_oom_kill_count()
        if oom_kill_count_now is not None:
            self.oom_kill_count = oom_kill_count_now
        dying = list(self.open.values())
        if not dying and len(self._annotations) == 1:
            # A kernel that dies at once (os._exit, a crash) takes the iopub messages it
            # still queued with it, its busy among them: the one cell sent to it and not
            # seen to start is the one it died in. With several pending, which of them was
            # sent first is unknown, and none is named.
            msg_id, (_, _, annotated_at) = next(iter(self._annotations.items()))
            dying.append(_OpenExecution(msg_id, annotated_at, oom_kill_count_start=oom_kill_count_before))
        for open_execution in dying:
            # Started (its busy came) and never ended: it ran when the kernel died, even
            # if its execute_input was lost with the kernel.
            record = self._promote(open_execution)
            record.status = DIED
            record.ended = time.time()
            if record.started is not None:
                record.duration = record.ended - record.started
            if exit_code is not None:
                if exit_code < 0:
                    record.exit_signal = -exit_code
                else:
                    record.exit_code = exit_code
            if open_execution.children_start is not None and open_execution.kernel_rss_start is not None:
                # The live figures held the children; a dead kernel's are its own.
                record.rss_start, record.rss_peak = open_execution.kernel_rss_start, None
            peak = max(v for v in (record.rss_peak, open_execution.rss_peak_seen, record.rss_start, 0) if v is not None)
            record.set_figures(record.rss_start, self.rss_bytes, peak)
            if oom_kill_count_now is not None and open_execution.oom_kill_count_start is not None:
                record.oom_kills = oom_kill_count_now - open_execution.oom_kill_count_start
            record.died_reason = self._died_reason(record)
            self.history.touch(record)
            self.on_final(record)
            self._last_final_status = DIED
        self.open.clear()
        self._annotations.clear()
        if self.probe is not None:
            self.probe.close()
        self.probe = None
        self.process = None
        self.pid = None
        self.process_state = "dead"
        self.hook_state = HOOK_DISABLED
        self._cancel_hook_timeout()
        self._close_streams()
        self._close_ring()

    def _died_reason(self, record: ExecutionRecord) -> str | None:
        if record.exit_signal == _SIGKILL:
            # Where the cgroup keeps no count (or the global killer chose a process with
            # a cgroup of its own), memory near the limit is the remaining evidence.
            near_limit = (self.limit is not None and record.rss_peak is not None
                          and record.rss_peak >= self.config.oom_fraction * self.limit.limit_bytes)
            return OUT_OF_MEMORY if (record.oom_kills or 0) > 0 or near_limit else KILLED
        if record.exit_signal is not None:
            return SIGNAL
        if record.exit_code is not None:
            return EXITED
        return None  # the exit status could not be read

    def dispose(self) -> None:
        self._process_gone()
        self._forget_oom_kill_file()
        if self.remote is not None:
            self.remote.close()
        self.process_state = "shutdown"

    def end_at_server_stop(self) -> None:
        """The server is stopping: end each running cell with its last figures, as
        ``died`` for ``server_stopped``. The server shuts its kernels down next, after
        this extension has stopped listening, so nothing would end them otherwise."""
        self.sample()
        now = time.time()
        for open_execution in self.open.values():
            if open_execution.record is None and not open_execution.saw_input \
                    and open_execution.msg_id not in self._annotations:
                continue  # a silent execution of some client: no cell of anybody's
            record = self._promote(open_execution)
            record.status = DIED
            record.died_reason = SERVER_STOPPED
            record.ended = now
            if record.started is not None:
                record.duration = now - record.started
            self.history.touch(record)
            self.on_final(record)
        self.open.clear()
        # Cells sent and never started were not run by this server: no record, and no
        # death to guess for them when the process goes.
        self._annotations.clear()

    def _check_iopub(self) -> None:
        """Follow the activity stream: the server makes a new one when a restart moves
        the kernel to new ports, and a kernel attached before the server watched it
        starts on a socket of its own, which it keeps for a moment after it moved over."""
        shared = self.shared_iopub
        now = time.monotonic()
        if shared is not None:
            if not shared.is_current(self.km):
                shared.close()
                self.shared_iopub = None
                self._close_own_iopub()
                self._open_own_iopub()
            elif self.iopub is not None and now >= self._own_iopub_until:
                self._close_own_iopub()
            return
        if not self.config.share_activity_stream or now < self._share_retry_at:
            return
        self.shared_iopub = SharedIopub.attach(self.km, self._on_iopub)
        if self.shared_iopub is None:
            self._share_retry_delay_s = min(max(2 * self._share_retry_delay_s, 0.1), _SHARE_RETRY_MAX_S)
            self._share_retry_at = now + self._share_retry_delay_s
        elif self.iopub is not None:
            # A message the server's stream handled just before our callback was chained
            # on it can still be on its way to our own socket (seen in CI: a cell's busy
            # lost, the cell unrecorded). Both stay open a moment, each message once.
            # The server's stream may also hand us what our socket already did.
            self._own_iopub_until = now + _SWITCH_OVERLAP_S
            self._seen_during_switch = set(self._recent_own_ids)

    def _close_own_iopub(self, handle_pending: bool = True) -> None:
        if self.iopub is not None:
            if handle_pending:
                try:
                    self.iopub.flush(zmq.POLLIN, limit=10_000)
                except zmq.ZMQError:
                    pass
            try:
                self.iopub.close(linger=0)
            except Exception:  # noqa: BLE001 - a socket that cannot close is dropped all the same
                pass
            self.iopub = None
        self._seen_during_switch = None
        self._recent_own_ids.clear()

    def _close_streams(self) -> None:
        if self.shared_iopub is not None:
            self.shared_iopub.close()
            self.shared_iopub = None
        self._close_own_iopub(handle_pending=False)
        if self.shell is not None:
            try:
                self.shell.close(linger=0)
            except Exception:  # noqa: BLE001
                pass
            self.shell = None
        self._loader_reply_ids.clear()

    # ----- the in-kernel hook ------------------------------------------------------

    def _open_ring(self) -> None:
        self._close_ring()
        try:
            self.ring = Ring(self.pid or 0)
        except OSError as e:
            self.log.info("memory-usage: no ring file for kernel %s (%s); its hook reports by iopub", self.kernel_id, e)
            self.ring = None

    def _close_ring(self) -> None:
        if self.ring is not None:
            self.ring.close()
            self.ring = None

    def _load_hook(self) -> None:
        if not self.config.load_kernel_hook:
            self.hook_state = HOOK_DISABLED
            return
        if not is_ipython_kernel(self.km):
            self.hook_state = HOOK_NOT_APPLICABLE
            return
        try:
            self.shell = self.km.connect_shell()
        except Exception as e:  # noqa: BLE001
            self.log.warning("memory-usage: cannot load the hook into kernel %s: %s", self.kernel_id, e)
            self.hook_state = HOOK_FAILED
            return
        self.shell.on_recv(self._on_shell)
        self._open_ring()
        self.hook_state = HOOK_LOADING
        self._hook_deadline = time.monotonic() + self.config.hook_load_timeout_s
        self._send_loader()

    def _send_loader(self) -> None:
        """Send the loader now, and again until a reply comes: a request sent while the
        kernel is still binding its ports (or while an old process holds them) can be
        lost, and loading twice only replaces the hook."""
        self._hook_timeout = None
        if self.hook_state != HOOK_LOADING or self.shell is None:
            return
        if time.monotonic() >= self._hook_deadline:
            self.log.warning("memory-usage: kernel %s did not load the hook in time; measuring it from outside", self.kernel_id)
            self.hook_state = HOOK_FAILED
            self._close_shell()
            self._close_ring()
            return
        msg = self.km.session.msg(
            "execute_request",
            {
                "code": _hook_loader_code(self.ring.path if self.ring is not None else None),
                "silent": True,
                "store_history": False,
                # Read back through the reply, which cannot be lost the way an iopub
                # message published before our subscription took hold can.
                "user_expressions": {"hook": f"get_ipython().{kernel_hook.STATE_ATTR}.status()"},
                "allow_stdin": False,
                # A failure here must never abort the user's queued cells.
                "stop_on_error": False,
            },
        )
        self._loader_msg_ids.add(msg["header"]["msg_id"])
        self._loader_reply_ids.add(msg["header"]["msg_id"])
        self.km.session.send(self.shell, msg)
        self._hook_timeout = asyncio.get_event_loop().call_later(_LOADER_RETRY_S, self._send_loader)

    def _cancel_hook_timeout(self) -> None:
        if self._hook_timeout is not None:
            self._hook_timeout.cancel()
            self._hook_timeout = None

    def _close_shell(self) -> None:
        self._loader_reply_ids.clear()
        if self.shell is not None:
            self.shell.close(linger=0)
            self.shell = None

    def _on_shell(self, parts: list[bytes]) -> None:
        try:
            msg = self._deserialize(parts, content=True)
        except (ValueError, KeyError, IndexError):
            return
        if msg["parent_header"].get("msg_id") not in self._loader_reply_ids:
            return
        self._cancel_hook_timeout()
        self._close_shell()
        if self.hook_state != HOOK_LOADING:
            return
        content = msg["content"]
        status = _hook_status(content)
        if content.get("status") == "ok" and status is not None and status.get("pid") == self.pid:
            self.hook_state = HOOK_ACTIVE
            self.hook_peak_reset = bool(status.get("peak_reset"))
            if not self.hook_peak_reset:
                self._warn_peak_not_reset("the kernel could not write its /proc/self/clear_refs")
            # A new process starts without tracing.
            self.heap_mode = bool(status.get("heap_mode"))
            if self._heap_mode_wanted and not self.heap_mode and self.config.heap_mode_after_restart:
                self._send_heap_mode(True)
            if not status.get("ring"):
                if self.ring is not None:
                    self.log.info("memory-usage: kernel %s could not open its ring file (%s); its hook reports by iopub",
                                  self.kernel_id, status.get("ring_error"))
                self._close_ring()
            # A launcher may move the kernel into its cgroup after we attached to it;
            # by now it runs the kernel itself, in the cgroup it will stay in.
            self.refresh_limit()
            return
        self.log.warning(
            "memory-usage: kernel %s could not load the hook (%s: %s); measuring it from outside",
            self.kernel_id, content.get("ename"), content.get("evalue") or content.get("user_expressions"),
        )
        self.hook_state = HOOK_FAILED
        self._close_ring()

    # ----- heap mode ---------------------------------------------------------------

    async def set_heap_mode(self, enabled: bool, timeout: float = _HEAP_MODE_REPLY_S) -> bool | None:
        """Ask the kernel's hook to start tracemalloc, or to stop all tracing.

        Returns whether heap mode is on, as the kernel says; None when its reply did
        not come within ``timeout`` (a cell still running: the request waits in the
        kernel's queue and ``heap_mode`` changes when it has run)."""
        if self.hook_state != HOOK_ACTIVE:
            raise HeapModeUnavailable(_HEAP_UNAVAILABLE.get(self.hook_state, _HEAP_UNAVAILABLE[HOOK_FAILED]))
        self._heap_mode_wanted = enabled
        future = self._send_heap_mode(enabled)
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except asyncio.TimeoutError:
            return None

    def _send_heap_mode(self, enabled: bool) -> asyncio.Future:
        future: asyncio.Future = asyncio.get_event_loop().create_future()
        # Read an error nobody awaits any more (a reply later than the route waited).
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        try:
            stream = self.km.connect_shell()
        except Exception as e:  # noqa: BLE001
            future.set_exception(HeapModeUnavailable(f"Cannot reach the kernel: {e}"))
            return future
        attr = kernel_hook.STATE_ATTR
        msg = self.km.session.msg(
            "execute_request",
            {
                # A statement whose value is None: the silent execution leaves no name
                # and no output behind.
                "code": f"get_ipython().{attr}.set_heap_mode({bool(enabled)!r})",
                "silent": True,
                "store_history": False,
                "user_expressions": {"hook": f"get_ipython().{attr}.status()"},
                "allow_stdin": False,
                "stop_on_error": False,
            },
        )
        msg_id = msg["header"]["msg_id"]
        # Its busy and idle on iopub are no cell's: ignored like the loader's.
        self._loader_msg_ids.add(msg_id)
        self._heap_requests[msg_id] = (stream, future)
        stream.on_recv(self._on_heap_reply)
        self.km.session.send(stream, msg)
        return future

    def _on_heap_reply(self, parts: list[bytes]) -> None:
        try:
            msg = self._deserialize(parts, content=True)
        except (ValueError, KeyError, IndexError):
            return
        request = self._heap_requests.pop(msg["parent_header"].get("msg_id"), None)
        if request is None:
            return
        stream, future = request
        try:
            stream.close(linger=0)
        except Exception:  # noqa: BLE001
            pass
        content = msg["content"]
        status = _hook_status(content)
        if content.get("status") == "ok" and status is not None:
            self.heap_mode = bool(status.get("heap_mode"))
            if not future.done():
                future.set_result(self.heap_mode)
            return
        self.log.warning("memory-usage: kernel %s could not change heap mode (%s: %s)",
                         self.kernel_id, content.get("ename"), content.get("evalue"))
        if not future.done():
            future.set_exception(HeapModeUnavailable(
                "The kernel's hook could not change heap mode: %s: %s" % (content.get("ename"), content.get("evalue"))
            ))

    # ----- iopub -------------------------------------------------------------------

    def _deserialize(self, parts: list[bytes], content: bool) -> dict[str, Any]:
        _, msg_list = self.km.session.feed_identities(parts, copy=True)
        return {
            "header": json.loads(msg_list[1]),
            "parent_header": json.loads(msg_list[2]),
            "content": json.loads(msg_list[4]) if content else None,
        }

    def _on_iopub(self, parts: list[bytes]) -> None:
        try:
            _, msg_list = self.km.session.feed_identities(parts, copy=True)
            raw_header = msg_list[1]
            if _RELEVANT_HEADER.search(raw_header) is None:
                return
            header = _json_decode(raw_header.decode())
            msg_type = header.get("msg_type")
            if msg_type not in _RELEVANT_IOPUB:
                return
            if self._seen_during_switch is not None:
                msg_id = header.get("msg_id")
                if msg_id in self._seen_during_switch:
                    return
                self._seen_during_switch.add(msg_id)
            elif self.iopub is not None and self.config.share_activity_stream:
                # Only a socket we will leave for the shared stream needs them.
                self._recent_own_ids.append(header.get("msg_id"))
            parent = _json_decode(msg_list[2].decode())
            if msg_type == "execute_input":
                match = _EXECUTION_COUNT.search(msg_list[4])
                content = {"execution_count": int(match[1]) if match else None}
            else:
                content = _json_decode(msg_list[4].decode())
        except (ValueError, IndexError, TypeError, AttributeError):
            self.log.debug("memory-usage: unreadable iopub message from kernel %s", self.kernel_id)
            return
        self._handle_iopub(msg_type, header, parent, content)

    def _on_remote_iopub(self, msg: dict[str, Any]) -> None:
        header = msg.get("header") or {}
        date = header.get("date")
        if not isinstance(date, str) and hasattr(date, "isoformat"):  # a Session parses dates
            header = {**header, "date": date.isoformat()}
        self._handle_iopub(header.get("msg_type"), header, msg.get("parent_header") or {}, msg.get("content") or {})

    def _handle_iopub(self, msg_type: Any, header: dict[str, Any], parent: dict[str, Any],
                      content: dict[str, Any]) -> None:
        parent_id = parent.get("msg_id")
        if not isinstance(parent_id, str):
            return
        if msg_type == "comm_msg":
            if content.get("comm_id") == kernel_hook.COMM_ID:
                self._on_hook_message(parent_id, content.get("data") or {})
            return
        if parent_id in self._loader_msg_ids:
            if msg_type == "status" and content.get("execution_state") == "idle":
                self._loader_msg_ids.discard(parent_id)
            return
        if msg_type == "status":
            if parent.get("msg_type") != "execute_request":
                return
            state = content.get("execution_state")
            if state == "busy":
                self._on_busy(parent_id, _parse_date(header.get("date")))
            elif state == "idle":
                self._on_idle(parent_id, _parse_date(header.get("date")))
        elif msg_type == "execute_input":
            open_execution = self.open.get(parent_id)
            if open_execution is not None:
                open_execution.saw_input = True
                record = self._promote(open_execution)
                count = content.get("execution_count")
                record.execution_count = count if isinstance(count, int) else None
                self.history.touch(record)
        elif msg_type == "error":
            open_execution = self.open.get(parent_id)
            if open_execution is not None:
                open_execution.saw_error = True

    def _on_hook_message(self, parent_id: str, data: dict[str, Any]) -> None:
        if data.get("event") == "cell":
            open_execution = self.open.get(parent_id)
            if open_execution is not None:
                open_execution.hook_report = data
                self._promote(open_execution)

    def _on_busy(self, msg_id: str, busy_time: float | None) -> None:
        if msg_id in self.open:
            return  # seen twice while switching to the activity stream
        finished = self.history.get(msg_id)
        if finished is not None and finished.status != RUNNING:
            return  # the same, after its idle
        # One small cgroup file, read once per execution: the baseline for "the
        # out-of-memory killer struck during this execution".
        count = self._read_oom_kill_count()
        if count is not None:
            self.oom_kill_count = count
        open_execution = _OpenExecution(msg_id, busy_time, oom_kill_count_start=count)
        if self.config.count_children:
            # busy reaches us after the cell has begun (a fast cell may already have
            # ended its children): the start is the last reading from before it.
            start = self._children_before(busy_time)
            open_execution.children_start = open_execution.children_max = (
                start if start is not None else self._children_now() or 0)
        self.open[msg_id] = open_execution
        self.on_busy()
        if msg_id in self._annotations:
            self.history.touch(self._promote(open_execution))
        if self.hook_state != HOOK_ACTIVE or self.ring is None:
            # From outside, a reading as early as possible; the hook has its own, and
            # the tick's next sample comes within busy_sample_interval_s.
            self.sample()

    def _promote(self, open_execution: _OpenExecution) -> ExecutionRecord:
        """Make an open execution a visible record: it is a real cell."""
        if open_execution.record is not None:
            return open_execution.record
        record = ExecutionRecord(
            msg_id=open_execution.msg_id,
            started=open_execution.busy_time,
            pid=self.pid,
            method=self._method(hook_report=None),
        )
        start_sample = self.history.last_sample_before(open_execution.busy_time or time.time())
        record.set_figures(start_sample.rss if start_sample else self.rss_bytes, self.rss_bytes, None)
        open_execution.kernel_rss_start = record.rss_start
        cell_id, notebook_path, _ = self._annotations.pop(open_execution.msg_id, (None, None, None))
        record.cell_id, record.notebook_path = cell_id, notebook_path
        open_execution.record = record
        return record

    def _on_idle(self, msg_id: str, idle_time: float | None) -> None:
        open_execution = self.open.pop(msg_id, None)
        if open_execution is None:
            return  # we attached in the middle of it
        if open_execution.hook_report is None and self.ring is not None:
            # The hook wrote this cell's slot at post_run_cell, before ipykernel
            # published this idle; a missing slot leaves the outside figures.
            report = self.ring.lookup(msg_id)
            if report is not None:
                open_execution.hook_report = report
        rss_end = hwm = None
        if open_execution.hook_report is not None:
            pass  # the hook's own end reading is the one used
        elif self.probe is not None:
            try:
                rss_end, hwm = self.probe.rss_and_hwm_bytes()
            except ProcessGone:
                pass
        elif self.remote is not None:
            rss_end = self.rss_bytes  # the reading the remote channel waited for
        ran = open_execution.saw_input or open_execution.hook_report is not None
        if not ran:
            # Never started: aborted after an earlier error, or a silent execution of
            # some client, which is no cell of anybody's.
            if open_execution.record is not None or self._last_final_status in (ERROR, ABORTED):
                record = self._promote(open_execution)
                record.status = ABORTED
                record.started = record.ended = idle_time
                record.duration = 0.0
                record.rss_start = record.rss_end = record.rss_peak = None
                record.delta = record.peak_increment = None
                record.method = None
                self._finish(record)
            self._after_execution()
            return
        record = self._promote(open_execution)
        report = open_execution.hook_report
        if open_execution.children_start is not None:
            record.rss_start = open_execution.kernel_rss_start  # the live figures held the children
        if report is not None:
            self._finish_from_hook(record, open_execution, report)
        else:
            self._finish_from_outside(record, open_execution, idle_time, rss_end, hwm)
        kernel_rss_end = record.rss_end
        if open_execution.children_start is not None:
            self._count_children_in(record, open_execution)
        self._finish(record, kernel_rss_end)
        self._after_execution()

    def _finish_from_hook(self, record: ExecutionRecord, open_execution: _OpenExecution,
                          report: dict[str, Any]) -> None:
        record.started = _number(report.get("started"), record.started)
        record.ended = _number(report.get("ended"), time.time())
        record.duration = record.ended - record.started if record.started is not None else None
        record.method = self._method(hook_report=report)
        if record.method == "kernel_hook_sampled" and self.hook_peak_reset:
            # The hook stops resetting the peak after its first failed write.
            self.hook_peak_reset = False
            self._warn_peak_not_reset("the kernel's write to /proc/self/clear_refs failed")
        failed = open_execution.saw_error or report.get("success") is False
        record.status = ERROR if failed else OK
        rss_start = _integer(report.get("rss_start"))
        rss_end = _integer(report.get("rss_end"))
        peak_candidates = [_integer(report.get("rss_hwm"))]
        if record.started is not None and record.ended is not None:
            peak_candidates.append(self.history.max_sample_rss_between(record.started, record.ended))
        peaks = [p for p in peak_candidates if p is not None]
        record.set_figures(rss_start, rss_end, max(peaks) if peaks else None)
        record.heap_delta = _integer(report.get("heap_delta"))
        record.heap_peak_increment = _integer(report.get("heap_peak_increment"))

    def _finish_from_outside(self, record: ExecutionRecord, open_execution: _OpenExecution,
                             idle_time: float | None, rss_end: int | None, hwm: int | None) -> None:
        record.ended = idle_time if idle_time is not None else time.time()
        record.duration = record.ended - record.started if record.started is not None else None
        record.status = ERROR if open_execution.saw_error else OK
        peaks = [open_execution.rss_peak_seen]
        if self._outside_hwm_valid and hwm is not None:
            peaks.append(hwm)
            record.method = "outside_hwm"
        else:
            record.method = RECORD_METHOD if self.remote is not None else "outside_sampled"
        if record.started is not None:
            peaks.append(self.history.max_sample_rss_between(record.started, record.ended))
        peaks = [p for p in peaks if p is not None]
        record.set_figures(record.rss_start, rss_end, max(peaks) if peaks else None)

    def _finish(self, record: ExecutionRecord, kernel_rss_end: int | None = None) -> None:
        self.history.touch(record)
        self.on_final(record)
        self._last_final_status = record.status
        # The samples are the kernel process's own, children apart (count_children adds
        # them to the record's figures only).
        rss_end = kernel_rss_end if kernel_rss_end is not None else record.rss_end
        if rss_end is not None and record.ended is not None:
            self.history.add_sample(record.ended, rss_end, self.children_rss_bytes)

    def _after_execution(self) -> None:
        # With the hook, the kernel resets its own peak at each cell's real start; a
        # reset from here could land inside the next cell and hide its first peak.
        if self.hook_state != HOOK_ACTIVE and self.config.reset_peak and self.probe is not None:
            could_reset = self.probe.can_reset_peak
            self._outside_hwm_valid = self.probe.reset_peak()
            if could_reset and not self._outside_hwm_valid:
                # The probe gives up on clear_refs after one failed write.
                self._warn_peak_not_reset(f"writing /proc/{self.pid}/clear_refs failed")

    def _warn_peak_not_reset(self, why: str) -> None:
        if self._peak_warning_given:
            return
        self._peak_warning_given = True
        self.log.warning(
            "memory-usage: kernel %s (pid %s): %s; its peaks are now the largest of samples taken every %s s, "
            "which may miss short temporaries (method: *_sampled)",
            self.kernel_id, self.pid, why, self.config.busy_sample_interval_s,
        )

    def _method(self, hook_report: dict[str, Any] | None) -> str:
        if hook_report is not None:
            return "kernel_hook" if hook_report.get("rss_hwm") is not None else "kernel_hook_sampled"
        if self.remote is not None:
            return RECORD_METHOD
        return "outside_hwm" if self._outside_hwm_valid else "outside_sampled"

    def _children_now(self) -> int | None:
        """The children's resident memory now (MemoryUsage.count_children): a scan of
        the process table on the event loop, a millisecond or two, twice per execution."""
        if self.pid is None:
            return None
        self.children_read_at = time.time()
        self.children_rss_bytes = children_rss_bytes(self.pid)
        return self.children_rss_bytes

    def _children_before(self, when: float | None) -> int | None:
        """The children's rss as last read before ``when`` (at the previous execution's
        end, or by the periodic scan), from the samples."""
        sample = self.history.last_sample_before(when if when is not None else time.time())
        return sample.children_rss if sample is not None else None

    def _count_children_in(self, record: ExecutionRecord, open_execution: _OpenExecution) -> None:
        """Add the children to a final record's kernel figures: their rss read at busy
        and at idle, and to the peak the largest children figure seen in between."""
        if record.rss_start is None or record.rss_end is None:
            return
        if record.started is not None:
            # The hook's start is the cell's real one, earlier than busy.
            before = self._children_before(record.started)
            if before is not None:
                open_execution.children_start = before
        start = open_execution.children_start or 0
        end = self._children_now() or 0
        most = max(start, end, open_execution.children_max or 0)
        record.set_figures(record.rss_start + start, record.rss_end + end,
                           None if record.rss_peak is None else record.rss_peak + most)

    # ----- annotations and sampling ------------------------------------------------

    def annotate(self, msg_id: str, cell_id: str | None, notebook_path: str | None) -> None:
        """Tie an execution to its cell, whether it has started, finished, or not yet begun."""
        open_execution = self.open.get(msg_id)
        record = self._promote(open_execution) if open_execution else self.history.get(msg_id)
        if record is not None:
            record.cell_id, record.notebook_path = cell_id, notebook_path
            self.history.touch(record)
            if record.status != RUNNING:
                self.on_final(record)
            return
        self._annotations[msg_id] = (cell_id, notebook_path, time.time())
        self._annotations.move_to_end(msg_id)
        while len(self._annotations) > self.config.max_pending_annotations:
            self._annotations.popitem(last=False)

    @property
    def busy(self) -> bool:
        return bool(self.open)

    def sample_interval_s(self) -> float:
        """How often to read this kernel now: a busy kernel whose peak comes from its
        high-water mark needs readings only for the live figures."""
        if not self.open:
            return self.config.idle_sample_interval_s
        exact_peak = (self.hook_state == HOOK_ACTIVE and self.hook_peak_reset) or self._outside_hwm_valid
        if exact_peak and self.remote is None:
            return self.config.live_sample_interval_s
        return self.config.busy_sample_interval_s

    def sample(self) -> None:
        """Read the process's memory now; update the running records' live figures."""
        if self.remote is not None:
            # The reading comes back by _on_usage_reading. A gateway takes each request for
            # activity of the kernel (its idle culler would never cull it): an idle kernel
            # that has answered is asked only if configured.
            interval = self.config.remote_idle_sample_interval_s
            if self._remote_unread_since_restart:
                self.remote.request(retry_after_s=_RESTART_READING_RETRY_S)
            elif self.busy or not self.remote.answering or (
                    interval > 0 and time.time() - self.last_sample_time >= interval):
                self.remote.request()
            return
        if self.probe is None:
            return
        try:
            if self.busy:
                rss, hwm = self.probe.rss_and_hwm_bytes()
            else:
                rss, hwm = self.probe.rss_bytes(), None
        except ProcessGone:
            self.sample_failed()
            return
        # Stamped after the read: a sample dated before a cell's start was then surely
        # read before it, and can stand for the cell's start (stamped first, a thread
        # switch before the read could date a reading from inside the cell earlier).
        now = time.time()
        self.rss_bytes, self.last_sample_time = rss, now
        if hwm is not None:
            self.hwm_bytes = hwm
        self._apply_reading(now, rss, hwm)

    def _apply_reading(self, now: float, rss: int, hwm: int | None) -> None:
        self.history.add_sample(now, rss, self.children_rss_bytes)
        hwm_counts = hwm is not None and (self.hook_state == HOOK_ACTIVE or self._outside_hwm_valid)
        for open_execution in self.open.values():
            seen = max(rss, hwm) if hwm_counts else rss
            if open_execution.rss_peak_seen is None or seen > open_execution.rss_peak_seen:
                open_execution.rss_peak_seen = seen
            record = open_execution.record
            if record is None:
                continue
            if open_execution.children_start is not None and open_execution.kernel_rss_start is not None:
                children = self.children_rss_bytes or 0
                open_execution.children_max = max(open_execution.children_max or 0, children)
                record.set_figures(open_execution.kernel_rss_start + open_execution.children_start, rss + children,
                                   max(open_execution.rss_peak_seen + open_execution.children_max, record.rss_peak or 0))
            else:
                record.set_figures(record.rss_start, rss, max(open_execution.rss_peak_seen, record.rss_peak or 0))
            if record.started is not None:
                record.duration = now - record.started
            self.history.touch(record)

    def sample_failed(self) -> None:
        # A killed process stops being readable while the system frees its memory, tens
        # of ms (more for a large one) before its exit status can be read. Wait for that
        # status, which check_process picks up, so the record can name the signal.
        if self.process is not None and not _has_exited(self.process):
            now = time.monotonic()
            if self._unreadable_since is None:
                self._unreadable_since = now
            if now - self._unreadable_since < _EXIT_STATUS_WAIT_S:
                return
        self.log.info("memory-usage: kernel %s (pid %s) has exited", self.kernel_id, self.pid)
        self._process_gone()
        # Keep the old PID's Popen out of check_process's way: the next PID is news.

    # ----- API views ---------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return {
            "kernel_id": self.kernel_id,
            "pid": self.pid,
            "rss": self.rss_bytes,
            "children_rss": self.children_rss_bytes,
            "limit": self.limit.limit_bytes if self.limit else None,
            "limit_source": self.limit.source if self.limit else None,
            "oom_kill_count": self.oom_kill_count,
            "method": self.probe.method if self.probe is not None else (
                PROBE_METHOD if self.remote is not None and self.remote.answering else None),
            "hook": self.hook_state,
            "heap_mode": self.hook_state == HOOK_ACTIVE and self.heap_mode,
            "peak_reset": self.hook_peak_reset if self.hook_state == HOOK_ACTIVE else
            bool(self.probe is not None and self.probe.can_reset_peak and self.config.reset_peak),
            "execution_state": "busy" if self.busy else (
                "idle" if self.pid or (self.remote is not None and self.remote.answering) else self.process_state),
            "reason": self.reason,
            "reason_message": self.reason_message,
            "restarts": self.restarts,
            "sampled_at": self.last_sample_time or None,
        }


def _hook_status(content: dict[str, Any]) -> dict[str, Any] | None:
    try:
        text = content["user_expressions"]["hook"]["data"]["text/plain"]
        status = ast.literal_eval(text)
    except (KeyError, TypeError, ValueError, SyntaxError):
        return None
    return status if isinstance(status, dict) else None


def _number(value: Any, default: float | None) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def _integer(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


class MemoryMonitor:
    """All kernels of one server, sampled by one tick that runs as often as the busiest
    kernel needs: every ``busy_sample_interval_s`` while a busy kernel's peak is the
    largest reading, every ``live_sample_interval_s`` while every busy kernel's peak
    comes from its high-water mark, every ``_RECONCILE_S`` while all are idle. A kernel
    going busy brings the next tick forward."""

    def __init__(self, multi_kernel_manager: Any, config: MemoryUsage, log: Any,
                 force_psutil: bool = False):
        self.mkm = multi_kernel_manager
        self.config = config
        self.log = log
        self.force_psutil = force_psutil
        self.monitors: dict[str, KernelMonitor] = {}
        self.system_available_bytes: int | None = None
        self._tick: asyncio.TimerHandle | None = None
        self._tick_due = 0.0  # loop time of the next tick
        self._in_tick = False
        self._last_slow_tick = 0.0
        self._last_reconcile = 0.0
        self._last_children_scan = 0.0
        self._children_task: asyncio.Future | None = None
        self._last_limit_refresh = time.time()  # each kernel reads its limit when attached
        self._limit_task: asyncio.Future | None = None
        self.database: RecordDatabase | None = None
        if config.enabled and config.persist_records:
            self.database = RecordDatabase(
                config.database_path, config.retention_days, config.max_persisted_records, log
            )

    def _persist(self, record: ExecutionRecord) -> None:
        if self.database is not None and record.cell_id and record.notebook_path:
            self.database.save(record.to_json())

    async def earlier_runs(self, notebook_path: str) -> list[dict[str, Any]]:
        """The notebook's last runs per cell kept from earlier sessions, oldest first."""
        if self.database is None:
            return []
        runs = await asyncio.wrap_future(self.database.runs_of_notebook(notebook_path))
        return runs or []

    def start(self) -> None:
        if not self.config.enabled:
            return
        self._schedule_tick(self.config.busy_sample_interval_s)
        self.reconcile()

    def stop(self) -> None:
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None
        for monitor in self.monitors.values():
            try:
                monitor.end_at_server_stop()
                monitor.dispose()
            except Exception:  # noqa: BLE001 - one kernel must not keep the others' records unsaved
                self.log.exception("memory-usage: could not end the records of kernel %s", monitor.kernel_id)
        self.monitors.clear()
        # Closed last: it waits for the records saved just above.
        if self.database is not None:
            self.database.close()
            self.database = None

    async def on_kernel_action(self, logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        # A new or restarted kernel gets its hook before the user's first cell reaches it.
        self.reconcile()
        if data.get("action") == "restart" and data.get("status") == "success":
            monitor = self.monitors.get(data.get("kernel_id"))
            if monitor is not None:
                monitor.remote_restarted()

    def reconcile(self) -> None:
        if self._tick is None:
            return
        self._last_reconcile = time.time()
        kernel_ids = set(self.mkm.list_kernel_ids())
        for kernel_id in list(self.monitors):
            if kernel_id not in kernel_ids:
                self.monitors.pop(kernel_id).dispose()
        for kernel_id in kernel_ids:
            monitor = self.monitors.get(kernel_id)
            if monitor is None:
                try:
                    kernel_manager = self.mkm.get_kernel(kernel_id)
                except KeyError:
                    continue
                monitor = KernelMonitor(kernel_id, kernel_manager, self.config, self.log, self.force_psutil)
                monitor.on_final = self._persist
                monitor.on_busy = self.busy_soon
                self.monitors[kernel_id] = monitor
            monitor.check_process()

    def get(self, kernel_id: str) -> KernelMonitor | None:
        if kernel_id not in self.monitors:
            self.reconcile()
        return self.monitors.get(kernel_id)

    def _schedule_tick(self, delay_s: float) -> None:
        loop = asyncio.get_event_loop()
        self._tick_due = loop.time() + delay_s
        self._tick = loop.call_later(delay_s, self._run_tick)

    def _run_tick(self) -> None:
        self._in_tick = True
        try:
            self.tick()
        finally:
            self._in_tick = False
        if self._tick is not None:  # not stopped meanwhile
            self._schedule_tick(self.tick_period_s())

    def tick_period_s(self) -> float:
        period = _RECONCILE_S
        for monitor in self.monitors.values():
            if monitor.busy or (monitor.remote is not None and monitor.remote.needs_polling):
                period = min(period, monitor.sample_interval_s())
        return max(period, self.config.busy_sample_interval_s)

    def busy_soon(self) -> None:
        """A kernel went busy: its first live reading within ``busy_sample_interval_s``."""
        if self._tick is None or self._in_tick:
            return  # stopped, or the tick's end schedules the next one
        delay = self.config.busy_sample_interval_s
        if self._tick_due - asyncio.get_event_loop().time() > delay:
            self._tick.cancel()
            self._schedule_tick(delay)

    def tick(self) -> None:
        try:
            self._tick_once()
        except Exception:  # noqa: BLE001 - one bad tick must not stop the watching
            self.log.exception("memory-usage: monitoring tick failed")

    def _tick_once(self) -> None:
        now = time.time()
        # Due within half a tick: a reading every 0.3 s must not slip to every 0.4 s
        # because the tick came a little early.
        slack = self.config.busy_sample_interval_s / 2
        if now - self._last_reconcile + slack >= _RECONCILE_S:
            self.reconcile()
        idle_interval = self.config.idle_sample_interval_s
        for monitor in self.monitors.values():
            if monitor.remote is not None:
                # Its replies and iopub, when no arrival scheduled a poll (a ZMQ client).
                monitor.remote.poll()
            if now - monitor.last_sample_time + slack >= monitor.sample_interval_s():
                monitor.sample()
        if now - self._last_slow_tick >= idle_interval:
            self._last_slow_tick = now
            self.system_available_bytes = available_memory_bytes()
        if (now - self._last_children_scan >= self.config.children_sample_interval_s
                and (self._children_task is None or self._children_task.done())):
            self._last_children_scan = now
            self._children_task = asyncio.ensure_future(self._scan_children())
        if (now - self._last_limit_refresh >= self.config.limit_refresh_interval_s
                and (self._limit_task is None or self._limit_task.done())):
            self._last_limit_refresh = now
            self._limit_task = asyncio.ensure_future(self._refresh_limits())

    async def _refresh_limits(self) -> None:
        pids = {kid: m.pid for kid, m in self.monitors.items() if m.pid is not None}
        if not pids:
            return
        loop = asyncio.get_running_loop()
        # cgroup files are read up to the hierarchy's root, a dozen files per kernel:
        # keep them off the event loop.
        results = await loop.run_in_executor(None, _cgroup_states_of, pids)
        for kernel_id, cgroup_state in results.items():
            monitor = self.monitors.get(kernel_id)
            if monitor is not None and monitor.pid == pids[kernel_id]:
                monitor.set_limit(cgroup_state)

    async def _scan_children(self) -> None:
        pids = {kid: m.pid for kid, m in self.monitors.items() if m.pid is not None}
        if not pids:
            return
        loop = asyncio.get_running_loop()
        # Walking the process table costs milliseconds: keep it off the event loop.
        scan_started = time.time()
        results = await loop.run_in_executor(None, _children_of, pids)
        for kernel_id, children_rss in results.items():
            monitor = self.monitors.get(kernel_id)
            if monitor is not None and monitor.pid == pids[kernel_id]:
                if scan_started >= monitor.children_read_at:
                    monitor.children_rss_bytes, monitor.children_read_at = children_rss, scan_started


def _children_of(pids: dict[str, int]) -> dict[str, int]:
    by_pid = descendants_rss_bytes(list(pids.values()))
    return {kernel_id: by_pid[pid] for kernel_id, pid in pids.items()}


def read_cgroup_state(pid: int) -> tuple[list[MemoryCgroup], MemoryLimit | None, int | None] | None:
    """The process's memory cgroups, its limit and its cgroup's oom_kill count; None
    when its cgroup file cannot be read."""
    cgroups = memory_cgroups(pid)
    if not cgroups:
        return None
    return cgroups, limit_of(cgroups), oom_kill_count(cgroups)


def _cgroup_states_of(pids: dict[str, int]) -> dict[str, Any]:
    return {kernel_id: read_cgroup_state(pid) for kernel_id, pid in pids.items()}
