"""Bounded per-kernel history: execution records and memory samples.

Every change gets the next sequence number of its kernel, so a client that polls
with ``since=<seq>`` receives exactly what changed: new and updated records,
running ones included, and new samples.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from .figures import Figures, Statements

RUNNING = "running"
OK = "ok"
ERROR = "error"
ABORTED = "aborted"
DIED = "died"

# Why a kernel died during an execution.
OUT_OF_MEMORY = "out_of_memory"
KILLED = "killed"  # SIGKILL with no sign of the out-of-memory killer
SIGNAL = "signal"  # any other signal
EXITED = "exited"  # an exit code, 0 included
# The server stopped (and shut its kernels down) while the execution ran: its end was
# never seen, and its figures are the last ones read.
SERVER_STOPPED = "server_stopped"
# A kernel without a local process whose connection was lost while the cell ran (its
# gateway went away, or dropped our websocket): how the cell ended is unknown.
CONNECTION_LOST = "connection_lost"


@dataclass(slots=True)
class ExecutionRecord:
    msg_id: str
    seq: int = 0
    cell_id: str | None = None
    notebook_path: str | None = None
    execution_count: int | None = None
    status: str = RUNNING
    # Seconds since the epoch, from the kernel's own clock or message timestamps.
    started: float | None = None
    ended: float | None = None
    duration: float | None = None
    rss_start: int | None = None
    rss_end: int | None = None
    rss_peak: int | None = None
    # "kernel_hook", "kernel_hook_sampled", "outside_hwm", "outside_sampled" or
    # "usage_request_sampled" (a kernel without a local process): where the figures came from.
    method: str | None = None
    pid: int | None = None
    exit_code: int | None = None
    exit_signal: int | None = None
    # Why a died execution died: "out_of_memory", "killed", "signal", "exited" or
    # "server_stopped".
    died_reason: str | None = None
    # Out-of-memory kills counted in the kernel's cgroup from the execution's start to
    # the kernel's death; None where the cgroup keeps no count.
    oom_kills: int | None = None
    # Heap mode (tracemalloc in the kernel): bytes allocated and still held at the end,
    # and the traced peak above the start; None when heap mode was off for the cell.
    heap_delta: int | None = None
    heap_peak_increment: int | None = None
    # Its top-level statements as the hook measured them (IPython kernels with an active
    # hook); None where nothing measured them.
    statements: Statements | None = None
    # A line-by-line profile of the run, when the user asked for one: the lines run in
    # code from the notebook's cells, by cell (figures.line_profile_from_comm).
    line_profile: dict[str, Any] | None = None
    # Heap mode: the allocation sites that grew most during the cell, still allocated at
    # its end (figures.heap_top_from_comm); None when heap mode was off.
    heap_top: list[dict[str, Any]] | None = None

    def set_figures(self, figures: Figures) -> None:
        self.rss_start = figures.rss_start_bytes
        self.rss_end = figures.rss_end_bytes
        self.rss_peak = figures.rss_peak_bytes

    def to_json(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in _FIELDS_BEFORE_DERIVED}
        # Derived here, so they can never disagree with the figures they come from.
        start = self.rss_start
        data["delta"] = None if start is None or self.rss_end is None else self.rss_end - start
        data["peak_increment"] = None if start is None or self.rss_peak is None else self.rss_peak - start
        for name in _FIELDS_AFTER_DERIVED:
            data[name] = getattr(self, name)
        statements = self.statements
        data["statements"] = None if statements is None else statements.to_json()
        data["line_profile"] = self.line_profile
        if self.status == RUNNING and self.started is not None:
            # So far, as of this answer: the readings that update a running record come
            # only every few hundred ms.
            data["duration"] = max(time.time() - self.started, 0.0)
        return data


# The API lists delta and peak_increment right after the figures they come from.
_FIELDS_BEFORE_DERIVED = ("msg_id", "seq", "cell_id", "notebook_path", "execution_count", "status",
                          "started", "ended", "duration", "rss_start", "rss_end", "rss_peak")
_FIELDS_AFTER_DERIVED = ("method", "pid", "exit_code", "exit_signal", "died_reason", "oom_kills",
                         "heap_delta", "heap_peak_increment", "heap_top")


@dataclass(slots=True)
class Sample:
    seq: int
    time: float
    rss: int
    children_rss: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "time": self.time, "rss": self.rss, "children_rss": self.children_rss}


@dataclass
class KernelHistory:
    max_executions: int
    max_samples: int
    # Changes whenever numbering restarts, so a client holding an old ``since`` can tell.
    history_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    seq: int = 0
    _records: OrderedDict[str, ExecutionRecord] = field(default_factory=OrderedDict)
    _samples: deque[Sample] = field(init=False)

    def __post_init__(self) -> None:
        self._samples = deque(maxlen=self.max_samples)

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def get(self, msg_id: str) -> ExecutionRecord | None:
        return self._records.get(msg_id)

    def touch(self, record: ExecutionRecord) -> None:
        """Store a new or changed record, numbered after everything before it."""
        record.seq = self._next_seq()
        self._records[record.msg_id] = record
        self._records.move_to_end(record.msg_id)
        while len(self._records) > self.max_executions:
            self._records.popitem(last=False)

    def add_sample(self, time: float, rss: int, children_rss: int | None = None) -> Sample:
        sample = Sample(self._next_seq(), time, rss, children_rss)
        self._samples.append(sample)
        return sample

    def records(self) -> Iterator[ExecutionRecord]:
        return iter(self._records.values())

    def samples(self) -> Iterator[Sample]:
        return iter(self._samples)

    def last_sample_before(self, time: float) -> Sample | None:
        for sample in reversed(self._samples):
            if sample.time <= time:
                return sample
        return None

    def max_sample_rss_between(self, start: float, end: float) -> int | None:
        peak = None
        for sample in reversed(self._samples):
            if sample.time < start:
                break
            if sample.time <= end and (peak is None or sample.rss > peak):
                peak = sample.rss
        return peak

    def records_since(self, since: int) -> list[ExecutionRecord]:
        changed = []
        for record in reversed(self._records.values()):
            if record.seq <= since:
                break
            changed.append(record)
        changed.reverse()
        return changed

    def clear(self) -> None:
        """Forget every record and sample. Running executions come back at their next
        update; the new history_id tells clients to drop what they hold."""
        self._records.clear()
        self._samples.clear()
        self.history_id = uuid.uuid4().hex

    def samples_since(self, since: int) -> list[Sample]:
        new = []
        for sample in reversed(self._samples):
            if sample.seq <= since:
                break
            new.append(sample)
        new.reverse()
        return new
