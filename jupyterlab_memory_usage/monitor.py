"""One kernel of this server, watched: the façade over the parts that each own a concern.

- ``process_watch.ProcessWatcher``: its process, readings, limit, exit;
- ``iopub.IopubSource``: its iopub messages (the server's activity stream, or a socket);
- ``hook_control.HookControl``: the in-kernel hook, its ring file, heap mode;
- ``tracker.ExecutionTracker``: busy ... idle of each execution, the records;
- ``remote.RemoteKernelChannel``: a kernel without a local process, through its
  ``usage_request``.

``scheduler.MemoryMonitor`` owns one ``KernelMonitor`` per kernel and samples them all.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from .config import MemoryUsage
from .deaths import Death
from .hook_control import HEAP_MODE_REPLY_S, HookControl
from .variables import KernelVariables
from .iopub import RELEVANT_IOPUB, IopubSource, on_session_message
from .limits import MemoryLimit
from .probes import ProcessGone
from .process_watch import ProcessWatcher, has_exited, local_process
from .remote import LIMIT_SOURCE, PROBE_METHOD, RemoteKernelChannel, UsageReading, is_remote_kernel
from .store import ExecutionRecord, KernelHistory
from .tracker import ExecutionTracker

# A kernel without a local process, restarted: its first reading is asked for again
# this often (the request sent during the restart may have gone to the old process).
_RESTART_READING_RETRY_S = 1.0
# A remote kernel sent a cell and not seen starting it for this long may have died before
# its busy (a kernel that dies at once takes its queued iopub with it): it is asked, as
# after a restart, until it answers or this much longer has passed.
_UNSTARTED_AFTER_S = 1.0
_UNSTARTED_WATCH_S = 60.0


class KernelMonitor:
    def __init__(self, kernel_id: str, kernel_manager: Any, config: MemoryUsage, log: Any,
                 force_psutil: bool = False):
        self.kernel_id = kernel_id
        self.km = kernel_manager
        self.config = config
        self.log = log
        self.history = KernelHistory(config.max_executions, config.max_samples)
        # Called with each record once it is final (and again if annotated later).
        self.on_final: Callable[[ExecutionRecord], None] = lambda record: None
        self.on_busy: Callable[[], None] = lambda: None
        self.watcher = ProcessWatcher(kernel_id, config, log, force_psutil)
        self.hook = HookControl(kernel_id, kernel_manager, config, log,
                                on_active=self.watcher.refresh_limit,
                                warn_peak_not_reset=self.watcher.warn_peak_not_reset)
        self.variables = KernelVariables(kernel_id, self.hook, self.history, config, lambda: self.tracker.busy)
        self.tracker = ExecutionTracker(config, self.history, self.watcher, self.hook,
                                        on_final=lambda record: self.on_final(record),
                                        on_busy=self._went_busy, sample_now=self.sample)
        self.source = IopubSource(kernel_id, kernel_manager, config, log, self.tracker.on_message)
        self._remote_pid: int | None = None  # the PID a remote kernel answers from, on its own host
        self._remote_hook_pid: int | None = None  # the remote process the hook was sent to
        # Restarted by this server, not yet read since: asked until it answers (a request
        # sent while the new process was starting can be lost with the old one).
        self._remote_unread_since_restart = False
        # A cell started: its first live reading is due at the next tick.
        self._live_reading_due = False

    @property
    def pid(self) -> int | None:
        return self.watcher.pid

    @property
    def remote(self) -> RemoteKernelChannel | None:
        return self.watcher.remote

    @property
    def busy(self) -> bool:
        return self.tracker.busy

    # ----- process lifecycle -------------------------------------------------------

    def check_process(self) -> None:
        """Attach to the kernel's current process; notice a death or a new PID."""
        if self.remote is not None or is_remote_kernel(self.km):
            self._watch_remote()
            return
        process = local_process(self.km)
        if process is not None and has_exited(process):
            # Dead, and not yet replaced by the restarter: nothing to watch until it
            # is. Attaching to it would report a dead PID as an idle kernel.
            if self.pid is not None:
                self._process_gone()
            return
        pid = process.pid if process is not None else None
        if pid == self.pid:
            if pid is not None:
                self.source.check()
            return
        if self.pid is not None:
            self._process_gone()
        if process is None:
            self.watcher.reason = "no_local_process"
        elif self.watcher.attach(process):
            self.source.connect()
            self.sample()
            self.hook.load(self.pid)

    def _process_gone(self) -> None:
        """The process we watched has exited: close what is open, keep the history."""
        # The killer counts a kill before it sends SIGKILL: by the time the exit status
        # can be read, the count includes it.
        oom_kill_count_before = self.watcher.oom_kill_count
        death = Death.process_exit(
            time.time(), self.watcher.returncode(),
            oom_kill_count_before=oom_kill_count_before,
            oom_kill_count_now=self.watcher.read_oom_kill_count(),
            rss_now_bytes=self.watcher.rss_bytes,
            limit_bytes=self.watcher.limit.limit_bytes if self.watcher.limit else None,
        )
        self.tracker.end_all(death)
        self.watcher.detach()
        self.hook.close()
        self.variables.forget()
        self.source.close()

    def dispose(self) -> None:
        self._process_gone()
        self.watcher.close()

    def end_at_server_stop(self) -> None:
        """The server is stopping: end each running cell with its last figures, as
        ``died`` for ``server_stopped``. The server shuts its kernels down next, after
        this extension has stopped listening, so nothing would end them otherwise."""
        self.sample()
        self.tracker.end_all(Death.server_stop(time.time()))

    # ----- a kernel without a local process ----------------------------------------

    def _watch_remote(self) -> None:
        """No local process: the kernel's iopub and its usage replies come through one
        client of the kernel manager's own (a gateway's websocket), polled each tick."""
        if self.remote is None:
            self.watcher.reason = "no_local_process"
            self.watcher.remote = RemoteKernelChannel(
                self.kernel_id, self.km, self.log,
                reply_timeout_s=self.config.usage_request_timeout_s,
                max_unanswered=self.config.usage_request_max_unanswered,
                relevant_iopub=RELEVANT_IOPUB,
                on_iopub=lambda msg: on_session_message(msg, self.tracker.on_message),
                on_reading=self._on_usage_reading, on_not_supported=self._on_not_supported,
                on_shell=self._on_remote_shell, on_lost=self._on_remote_lost,
            )
            self.hook.use_remote(self.remote.send_shell)
            self.remote.open()
        self.remote.poll()

    def _on_usage_reading(self, reading: UsageReading) -> None:
        watcher = self.watcher
        if reading.pid is not None and self._remote_pid is not None and reading.pid != self._remote_pid:
            # A new process answers: the kernel was restarted (or died and was restarted
            # by its host), and what ran in the old one ended with it.
            self.log.info("memory-usage: kernel %s now answers from pid %s (was %s)", self.kernel_id,
                          reading.pid, self._remote_pid)
            self._process_gone()
            watcher.restarts += 1
        self._remote_pid = reading.pid
        self._remote_unread_since_restart = False
        watcher.reason = watcher.reason_message = None
        watcher.process_state = "alive"
        if reading.host_memory_bytes:
            watcher.limit = MemoryLimit(reading.host_memory_bytes, LIMIT_SOURCE)
        watcher.rss_bytes, watcher.last_sample_wall_s = reading.memory_bytes, time.time()
        self._take_reading(reading.time, reading.memory_bytes, None)
        self._load_remote_hook()

    def _on_remote_lost(self, why: str) -> None:
        """Our connection to a remote kernel went: what ran then ended unseen. The
        hook stays in the kernel, if the kernel is still there: the next reading says
        (the same pid) or a new process answers (another)."""
        self.tracker.end_all(Death.connection_lost(time.time()))
        if not self.hook.active:
            # Lost while the loader was out: it is sent again once the kernel answers.
            self.hook.close()
            self._remote_hook_pid = None

    def _on_remote_shell(self, msg: dict[str, Any]) -> None:
        if (msg.get("msg_type") or (msg.get("header") or {}).get("msg_type")) == "kernel_info_reply":
            self._load_remote_hook()
        else:
            self.hook.on_remote_reply(msg)

    def _load_remote_hook(self) -> None:
        """Once per remote process known to be IPython (its kernel_info) and answering
        (its pid, from a usage_reply): the hook, so that its cells are measured exactly."""
        remote, pid = self.remote, self._remote_pid
        if remote is None or pid is None or remote.implementation != "ipython" or self._remote_hook_pid == pid:
            return
        self._remote_hook_pid = pid
        self.hook.load_remote(pid)

    def remote_restarted(self) -> None:
        """This server restarted a kernel without a local process: what ran in the old
        process ended with it, and the next reading is the new one's."""
        if self.remote is None or self.remote.gave_up:
            return
        self._process_gone()
        self.watcher.restarts += 1
        self._remote_pid = None
        self._remote_unread_since_restart = True
        self.remote.request()

    def _on_not_supported(self, why: str) -> None:
        self.watcher.reason, self.watcher.reason_message = "not_supported", why

    # ----- sampling and the API ----------------------------------------------------

    def annotate(self, msg_id: str, cell_id: str | None, notebook_path: str | None) -> None:
        self.tracker.annotate(msg_id, cell_id, notebook_path)

    async def set_heap_mode(self, enabled: bool, timeout: float = HEAP_MODE_REPLY_S) -> bool | None:
        return await self.hook.set_heap_mode(enabled, timeout)

    async def arm_line_profile(self, cell_id: str | None) -> bool:
        return await self.hook.arm_line_profile(cell_id)

    def line_profile_state(self) -> dict[str, Any]:
        hook = self.hook
        return {"line_profile_armed": hook.line_profile_armed if hook.active else None,
                "line_profile_backend": hook.line_profile_backend if hook.active else None}

    def _went_busy(self) -> None:
        self._live_reading_due = True
        self.on_busy()

    def reading_due(self, now_wall_s: float, slack_s: float) -> bool:
        # A running cell's first live reading comes at the next tick, however recent
        # the last reading was; a cell that ended before it needs none (its final
        # figures came), so short cells back to back keep the busy cadence.
        if self._live_reading_due and self.busy:
            return True
        return now_wall_s - self.watcher.last_sample_wall_s + slack_s >= self.sample_interval_s()

    def sample_interval_s(self) -> float:
        """How often to read this kernel now: a busy kernel whose peak comes from its
        high-water mark needs readings only for the live figures."""
        if not self.busy:
            return self.config.idle_sample_interval_s
        exact_peak = self.hook.exact_peak or self.watcher.outside_hwm_valid
        if exact_peak and self.remote is None:
            return self.config.live_sample_interval_s
        return self.config.busy_sample_interval_s

    def sample(self) -> None:
        """Read the process's memory now; update the running records' live figures."""
        self._live_reading_due = False
        if self.remote is not None:
            # The reading comes back by _on_usage_reading. A gateway takes each request for
            # activity of the kernel (its idle culler would never cull it): an idle kernel
            # that has answered is asked only if configured.
            interval = self.config.remote_idle_sample_interval_s
            sent = self.tracker.unstarted_since()
            overdue = sent is not None and _UNSTARTED_AFTER_S <= time.time() - sent <= _UNSTARTED_WATCH_S
            if self._remote_unread_since_restart or overdue:
                self.remote.request(retry_after_s=_RESTART_READING_RETRY_S)
            elif self.busy or not self.remote.answering or (
                    interval > 0 and time.time() - self.watcher.last_sample_wall_s >= interval):
                self.remote.request()
            return
        if self.watcher.probe is None:
            return
        try:
            rss, hwm = self.watcher.read(with_hwm=self.busy)
        except ProcessGone:
            if self.watcher.unreadable_for_good():
                self.log.info("memory-usage: kernel %s (pid %s) has exited", self.kernel_id, self.pid)
                self._process_gone()
            return
        self._take_reading(self.watcher.last_sample_wall_s, rss, hwm)

    def _take_reading(self, when_wall_s: float, rss_bytes: int, hwm_bytes: int | None) -> None:
        self.history.add_sample(when_wall_s, rss_bytes, self.watcher.children_rss_bytes)
        self.tracker.on_reading(rss_bytes, hwm_bytes)

    def state(self) -> dict[str, Any]:
        watcher, hook, remote = self.watcher, self.hook, self.remote
        return {
            "kernel_id": self.kernel_id,
            "pid": self.pid,
            "rss": watcher.rss_bytes,
            "children_rss": watcher.children_rss_bytes,
            "limit": watcher.limit.limit_bytes if watcher.limit else None,
            "limit_source": watcher.limit.source if watcher.limit else None,
            "oom_kill_count": watcher.oom_kill_count,
            "method": watcher.probe.method if watcher.probe is not None else (
                PROBE_METHOD if remote is not None and remote.answering else None),
            "hook": hook.state,
            "heap_mode": hook.active and hook.heap_mode,
            "peak_reset": hook.peak_reset if hook.active else watcher.peak_reset_possible(),
            "execution_state": "busy" if self.busy else (
                "idle" if self.pid or (remote is not None and remote.answering) else watcher.process_state),
            "reason": watcher.reason,
            "reason_message": watcher.reason_message,
            "restarts": watcher.restarts,
            "sampled_at": watcher.last_sample_wall_s or None,
            **self.line_profile_state(),
        }
