"""All kernels of this server, watched by one periodic tick.

One ``KernelMonitor`` per kernel of the server's kernel manager, made and disposed as
kernels start and go; one tick samples them all, so the cost does not grow with
timers. Final records are saved to the records database.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from .config import MemoryUsage
from .limits import available_memory_bytes
from .monitor import KernelMonitor
from .persistence import RecordDatabase
from .probes import descendants_rss_bytes
from .process_watch import read_cgroup_state
from .store import ExecutionRecord

KERNEL_ACTIONS_SCHEMA = "https://events.jupyter.org/jupyter_server/kernel_actions/v1"
# How often the tick looks for new, dead and restarted kernels (a started, restarted or
# shut down kernel is also noticed at once through the server's kernel action events; a
# busy kernel that dies fails its next reading).
_RECONCILE_S = 0.5


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
        self._tick_due_loop_s = 0.0  # the event loop's clock
        self._in_tick = False
        self._last_slow_tick_wall_s = 0.0
        self._last_reconcile_wall_s = 0.0
        self._last_children_scan_wall_s = 0.0
        self._children_task: asyncio.Future | None = None
        self._last_limit_refresh_wall_s = time.time()  # each kernel reads its limit when attached
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
        self._last_reconcile_wall_s = time.time()
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
        self._tick_due_loop_s = loop.time() + delay_s
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
        if self._tick_due_loop_s - asyncio.get_event_loop().time() > delay:
            self._tick.cancel()
            self._schedule_tick(delay)

    def tick(self) -> None:
        try:
            self._tick_once()
        except Exception:  # noqa: BLE001 - one bad tick must not stop the watching
            self.log.exception("memory-usage: monitoring tick failed")

    def _tick_once(self) -> None:
        now_wall_s = time.time()
        # Due within half a tick: a reading every 0.3 s must not slip to every 0.4 s
        # because the tick came a little early.
        slack = self.config.busy_sample_interval_s / 2
        if now_wall_s - self._last_reconcile_wall_s + slack >= _RECONCILE_S:
            self.reconcile()
        idle_interval = self.config.idle_sample_interval_s
        for monitor in self.monitors.values():
            if monitor.remote is not None:
                # Its replies and iopub, when no arrival scheduled a poll (a ZMQ client).
                monitor.remote.poll()
            if monitor.reading_due(now_wall_s, slack):
                monitor.sample()
        if now_wall_s - self._last_slow_tick_wall_s >= idle_interval:
            self._last_slow_tick_wall_s = now_wall_s
            self.system_available_bytes = available_memory_bytes()
        if (now_wall_s - self._last_children_scan_wall_s >= self.config.children_sample_interval_s
                and (self._children_task is None or self._children_task.done())):
            self._last_children_scan_wall_s = now_wall_s
            self._children_task = asyncio.ensure_future(self._scan_children())
        if (now_wall_s - self._last_limit_refresh_wall_s >= self.config.limit_refresh_interval_s
                and (self._limit_task is None or self._limit_task.done())):
            self._last_limit_refresh_wall_s = now_wall_s
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
                monitor.watcher.set_limit(cgroup_state)

    async def _scan_children(self) -> None:
        pids = {kid: m.pid for kid, m in self.monitors.items() if m.pid is not None}
        if not pids:
            return
        loop = asyncio.get_running_loop()
        # Walking the process table costs milliseconds: keep it off the event loop.
        scan_started_wall_s = time.time()
        results = await loop.run_in_executor(None, _children_of, pids)
        for kernel_id, children_rss in results.items():
            monitor = self.monitors.get(kernel_id)
            if monitor is not None and monitor.pid == pids[kernel_id]:
                watcher = monitor.watcher
                if scan_started_wall_s >= watcher.children_read_wall_s:
                    watcher.children_rss_bytes, watcher.children_read_wall_s = children_rss, scan_started_wall_s


def _children_of(pids: dict[str, int]) -> dict[str, int]:
    by_pid = descendants_rss_bytes(list(pids.values()))
    return {kernel_id: by_pid[pid] for kernel_id, pid in pids.items()}


def _cgroup_states_of(pids: dict[str, int]) -> dict[str, Any]:
    return {kernel_id: read_cgroup_state(pid) for kernel_id, pid in pids.items()}
