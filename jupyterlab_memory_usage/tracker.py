"""One kernel's executions: busy, execute_input, error, idle of each execute_request.

An execution becomes a visible record once it is known to be a real cell (its
execute_input came, the hook reported on it, or a client annotated it). While it
runs its live figures follow each reading; when it ends its figures are set once,
from the hook's report where there is one, else from the readings taken outside.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from . import kernel_hook
from .config import MemoryUsage
from .deaths import Death, end_as_died
from .figures import (OUTSIDE_EXACT, OUTSIDE_SAMPLED, Figures, HookReport, heap_top_from_comm, hook_figures,
                      line_profile_from_comm)
from .hook_control import HookControl
from .process_watch import ProcessWatcher
from .remote import RECORD_METHOD
from .store import ABORTED, ERROR, OK, RUNNING, ExecutionRecord, KernelHistory


def _parse_date(value: Any) -> float | None:
    """A message header's ``date`` as seconds since the epoch."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


@dataclass
class OpenExecution:
    """An execute_request between its busy and idle, not yet known to be a real cell."""

    msg_id: str
    busy_wall_s: float | None
    record: ExecutionRecord | None = None
    saw_error: bool = False
    saw_input: bool = False
    hook_report: HookReport | None = None
    line_profile: dict[str, Any] | None = None
    heap_top: list[dict[str, Any]] | None = None
    # The kernel's own rss at the start (the last sample before busy), and the most
    # read from outside since.
    kernel_rss_start_bytes: int | None = None
    rss_peak_seen_bytes: int | None = None
    # The cgroup's oom_kill count when the execution started, to tell whether the
    # out-of-memory killer struck during it.
    oom_kill_count_start: int | None = None
    # With MemoryUsage.count_children: the children's rss at the start, and the most
    # read during the execution.
    children_start_bytes: int | None = None
    children_max_bytes: int | None = None


class ExecutionTracker:
    def __init__(self, config: MemoryUsage, history: KernelHistory, watcher: ProcessWatcher, hook: HookControl,
                 on_final: Callable[[ExecutionRecord], None], on_busy: Callable[[], None],
                 sample_now: Callable[[], None]):
        self.config = config
        self.history = history
        self.watcher = watcher
        self.hook = hook
        self.on_final = on_final
        self.on_busy = on_busy
        self.sample_now = sample_now
        self.open: dict[str, OpenExecution] = {}
        # msg_id -> (cell_id, notebook_path, when the annotation came, wall clock)
        self._annotations: OrderedDict[str, tuple[str | None, str | None, float]] = OrderedDict()
        self._last_final_status: str | None = None

    @property
    def busy(self) -> bool:
        return bool(self.open)

    # ----- iopub -------------------------------------------------------------------

    def on_message(self, msg_type: Any, header: dict[str, Any], parent: dict[str, Any],
                   content: dict[str, Any]) -> None:
        parent_id = parent.get("msg_id")
        if not isinstance(parent_id, str):
            return
        if msg_type == "comm_msg":
            if content.get("comm_id") == kernel_hook.COMM_ID:
                data = content.get("data") or {}
                profile = line_profile_from_comm(data)
                heap_top = heap_top_from_comm(data) if profile is None else None
                if profile is not None:
                    self._on_line_profile(parent_id, profile)
                elif heap_top is not None:
                    open_execution = self.open.get(parent_id)
                    if open_execution is not None:
                        open_execution.heap_top = heap_top
                else:
                    self._on_hook_report(parent_id, HookReport.from_comm(data))
            return
        if self.hook.is_own_request(msg_type, parent_id, content):
            return
        if msg_type == "status":
            if parent.get("msg_type") != "execute_request":
                return
            state = content.get("execution_state")
            if state == "busy":
                self.on_busy_message(parent_id, _parse_date(header.get("date")))
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

    def _on_hook_report(self, parent_id: str, report: HookReport | None) -> None:
        open_execution = self.open.get(parent_id)
        if open_execution is not None and report is not None:
            open_execution.hook_report = report
            self._promote(open_execution)

    def _on_line_profile(self, parent_id: str, profile: dict[str, Any]) -> None:
        self.hook.line_profile_armed = None  # the hook disarms itself as it starts
        open_execution = self.open.get(parent_id)
        if open_execution is not None:
            open_execution.line_profile = profile
            self._promote(open_execution)

    def _name_cells(self, record: ExecutionRecord) -> None:
        """The cell id of each cell its line profile and heap sites name by execution
        count, from the records of this process."""
        named = (record.line_profile["cells"] if record.line_profile else []) + (record.heap_top or [])
        wanted = {entry["execution_count"] for entry in named if entry["execution_count"] is not None}
        if not wanted:
            return
        cell_ids: dict[int, str | None] = {}
        for earlier in reversed(list(self.history.records())):
            if earlier.pid == record.pid and earlier.execution_count in wanted and earlier.execution_count not in cell_ids:
                cell_ids[earlier.execution_count] = earlier.cell_id
                if len(cell_ids) == len(wanted):
                    break
        if record.execution_count in wanted:
            cell_ids[record.execution_count] = record.cell_id
        for entry in named:
            entry["cell_id"] = cell_ids.get(entry["execution_count"])

    def on_busy_message(self, msg_id: str, busy_wall_s: float | None) -> None:
        if msg_id in self.open:
            return  # seen twice while moving to the activity stream
        finished = self.history.get(msg_id)
        if finished is not None and finished.status != RUNNING:
            return  # the same, after its idle
        # One small cgroup file, read once per execution: the baseline for "the
        # out-of-memory killer struck during this execution".
        open_execution = OpenExecution(msg_id, busy_wall_s, oom_kill_count_start=self.watcher.read_oom_kill_count())
        if self.config.count_children:
            # busy reaches us after the cell has begun (a fast cell may already have
            # ended its children): the start is the last reading from before it.
            start = self._children_before(busy_wall_s)
            open_execution.children_start_bytes = open_execution.children_max_bytes = (
                start if start is not None else self.watcher.children_now() or 0)
        self.open[msg_id] = open_execution
        self.on_busy()
        if msg_id in self._annotations:
            self.history.touch(self._promote(open_execution))
        if not self.hook.reports_by_ring:
            # From outside, a reading as early as possible; the hook has its own, and
            # the tick's next sample comes within busy_sample_interval_s.
            self.sample_now()

    def _promote(self, open_execution: OpenExecution) -> ExecutionRecord:
        """Make an open execution a visible record: it is a real cell."""
        if open_execution.record is not None:
            return open_execution.record
        start_sample = self.history.last_sample_before(open_execution.busy_wall_s or time.time())
        open_execution.kernel_rss_start_bytes = start_sample.rss if start_sample else self.watcher.rss_bytes
        record = ExecutionRecord(
            msg_id=open_execution.msg_id,
            started=open_execution.busy_wall_s,
            pid=self.watcher.pid,
            method=self._hook_method(open_execution.hook_report) if open_execution.hook_report
            else self.watcher.outside_method(),
        )
        cell_id, notebook_path, _ = self._annotations.pop(open_execution.msg_id, (None, None, None))
        record.cell_id, record.notebook_path = cell_id, notebook_path
        open_execution.record = record
        self._show_live(open_execution, self.watcher.rss_bytes)
        return record

    def _on_idle(self, msg_id: str, idle_wall_s: float | None) -> None:
        open_execution = self.open.pop(msg_id, None)
        if open_execution is None:
            return  # we attached in the middle of it
        if open_execution.hook_report is None:
            # The hook wrote this cell's slot at post_run_cell, before ipykernel
            # published this idle; a missing slot leaves the outside figures.
            open_execution.hook_report = self.hook.report_in_ring(msg_id)
        report = open_execution.hook_report
        if not (open_execution.saw_input or report is not None):
            # Never started: aborted after an earlier error, or a silent execution of
            # some client, which is no cell of anybody's.
            if open_execution.record is not None or self._last_final_status in (ERROR, ABORTED):
                record = self._promote(open_execution)
                record.status = ABORTED
                record.started = record.ended = idle_wall_s
                record.duration = 0.0
                record.set_figures(Figures(None, None, None))
                record.method = None
                self._finish(record, None)
            self.watcher.after_execution(self.hook.active)
            return
        record = self._promote(open_execution)
        if report is not None:
            figures = self._end_from_hook(record, open_execution, report)
        else:
            figures = self._end_from_outside(record, open_execution, idle_wall_s)
        kernel_rss_end_bytes = figures.rss_end_bytes
        if open_execution.children_start_bytes is not None:
            figures = self._with_children(figures, record, open_execution)
        record.set_figures(figures)
        self._finish(record, kernel_rss_end_bytes)
        self.watcher.after_execution(self.hook.active)

    def _end_from_hook(self, record: ExecutionRecord, open_execution: OpenExecution,
                       report: HookReport) -> Figures:
        if report.started_wall_s is not None:
            record.started = report.started_wall_s
        record.ended = report.ended_wall_s if report.ended_wall_s is not None else time.time()
        record.duration = record.ended - record.started if record.started is not None else None
        record.method = self._hook_method(report)
        self.hook.note_method(report)
        record.status = ERROR if open_execution.saw_error or not report.success else OK
        record.heap_delta = report.heap_delta_bytes
        record.heap_peak_increment = report.heap_peak_increment_bytes
        record.statements = report.statements
        record.line_profile = open_execution.line_profile
        record.heap_top = open_execution.heap_top
        self._name_cells(record)
        sampled = None
        # A remote kernel's samples are its usage_request's (the kernel and its children
        # as PSS): no measure of the process whose resident memory the hook read.
        if record.started is not None and self.watcher.remote is None:
            sampled = self.history.max_sample_rss_between(record.started, record.ended)
        return hook_figures(report, sampled)

    def _hook_method(self, report: HookReport) -> str:
        return report.remote_method if self.watcher.remote is not None else report.method

    def _end_from_outside(self, record: ExecutionRecord, open_execution: OpenExecution,
                          idle_wall_s: float | None) -> Figures:
        rss_end, hwm = self.watcher.end_reading()
        record.ended = idle_wall_s if idle_wall_s is not None else time.time()
        record.duration = record.ended - record.started if record.started is not None else None
        record.status = ERROR if open_execution.saw_error else OK
        peaks = [open_execution.rss_peak_seen_bytes]
        if self.watcher.outside_hwm_valid and hwm is not None:
            peaks.append(hwm)
            record.method = OUTSIDE_EXACT
        else:
            record.method = RECORD_METHOD if self.watcher.remote is not None else OUTSIDE_SAMPLED
        if record.started is not None:
            peaks.append(self.history.max_sample_rss_between(record.started, record.ended))
        return Figures.of(open_execution.kernel_rss_start_bytes, rss_end, *peaks)

    def _with_children(self, figures: Figures, record: ExecutionRecord, open_execution: OpenExecution) -> Figures:
        """Add the children: their rss at the start and at idle, and to the peak the most
        read in between."""
        if figures.rss_start_bytes is None or figures.rss_end_bytes is None:
            return figures
        start = open_execution.children_start_bytes
        if record.started is not None:
            # The hook's start is the cell's real one, earlier than busy.
            before = self._children_before(record.started)
            if before is not None:
                start = before
        end = self.watcher.children_now() or 0
        return figures.plus_children(start or 0, end, open_execution.children_max_bytes or 0)

    def _finish(self, record: ExecutionRecord, kernel_rss_end_bytes: int | None) -> None:
        self.history.touch(record)
        self.on_final(record)
        self._last_final_status = record.status
        # The samples are the kernel process's own, children apart (count_children adds
        # them to the record's figures only).
        if kernel_rss_end_bytes is not None and record.ended is not None:
            self.history.add_sample(record.ended, kernel_rss_end_bytes, self.watcher.children_rss_bytes)

    def _children_before(self, when_wall_s: float | None) -> int | None:
        """The children's rss as last read before ``when`` (at the previous execution's
        end, or by the periodic scan), from the samples."""
        sample = self.history.last_sample_before(when_wall_s if when_wall_s is not None else time.time())
        return sample.children_rss if sample is not None else None

    # ----- live figures, annotations, deaths --------------------------------------

    def on_reading(self, rss_bytes: int, hwm_bytes: int | None) -> None:
        """A reading from outside while executions run: their live figures."""
        hwm_counts = hwm_bytes is not None and (self.hook.active or self.watcher.outside_hwm_valid)
        seen = max(rss_bytes, hwm_bytes) if hwm_counts else rss_bytes
        for open_execution in self.open.values():
            if open_execution.rss_peak_seen_bytes is None or seen > open_execution.rss_peak_seen_bytes:
                open_execution.rss_peak_seen_bytes = seen
            if open_execution.record is not None:
                self._show_live(open_execution, rss_bytes)
                self.history.touch(open_execution.record)

    def _show_live(self, open_execution: OpenExecution, rss_bytes: int | None) -> None:
        record = open_execution.record
        children = 0
        if open_execution.children_start_bytes is not None:
            children = self.watcher.children_rss_bytes or 0
            open_execution.children_max_bytes = max(open_execution.children_max_bytes or 0, children)
        start = open_execution.kernel_rss_start_bytes
        peak = open_execution.rss_peak_seen_bytes
        figures = Figures.of(
            None if start is None else start + (open_execution.children_start_bytes or 0),
            None if rss_bytes is None else rss_bytes + children,
            None if peak is None else peak + (open_execution.children_max_bytes or 0),
            record.rss_peak,
        )
        record.set_figures(figures)

    def unstarted_since(self) -> float | None:
        """When the oldest cell sent to the kernel (annotated) and not seen starting was
        annotated, while nothing runs; None otherwise."""
        if self.open or not self._annotations:
            return None
        return next(iter(self._annotations.values()))[2]

    def annotate(self, msg_id: str, cell_id: str | None, notebook_path: str | None) -> None:
        """Tie an execution to its cell, whether it has started, finished, or not yet begun."""
        open_execution = self.open.get(msg_id)
        record = self._promote(open_execution) if open_execution else self.history.get(msg_id)
        if record is not None:
            record.cell_id, record.notebook_path = cell_id, notebook_path
            self._name_cells(record)
            self.history.touch(record)
            if record.status != RUNNING:
                self.on_final(record)
            return
        self._annotations[msg_id] = (cell_id, notebook_path, time.time())
        self._annotations.move_to_end(msg_id)
        while len(self._annotations) > self.config.max_pending_annotations:
            self._annotations.popitem(last=False)

    def end_all(self, death: Death) -> None:
        """The kernel's process is gone, or the server stops: what runs ends as died,
        and cells sent and never started are forgotten."""
        dying = list(self.open.values())
        # The server stopped, or lost the kernel: the kernel itself may be fine.
        end_unseen = death.is_server_stop or death.is_connection_lost
        if not end_unseen and not dying and len(self._annotations) == 1:
            # A kernel that dies at once (os._exit, a crash) takes the iopub messages it
            # still queued with it, its busy among them: the one cell sent to it and not
            # seen to start is the one it died in. With several pending, which of them was
            # sent first is unknown, and none is named.
            msg_id, (_, _, annotated_wall_s) = next(iter(self._annotations.items()))
            dying.append(OpenExecution(msg_id, annotated_wall_s, oom_kill_count_start=death.oom_kill_count_before))
        for open_execution in dying:
            if end_unseen and open_execution.record is None and not open_execution.saw_input \
                    and open_execution.msg_id not in self._annotations:
                continue  # a silent execution of some client: no cell of anybody's
            record = self._promote(open_execution)
            end_as_died(record, open_execution, death, self.config.oom_fraction)
            self.history.touch(record)
            self.on_final(record)
            if not death.is_server_stop:
                self._last_final_status = record.status
        self.open.clear()
        if not death.is_connection_lost:  # cells still queued there may run once it is back
            self._annotations.clear()
