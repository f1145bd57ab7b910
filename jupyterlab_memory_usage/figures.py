"""Pure functions that turn readings into a record's figures; no I/O, no state.

The values are NamedTuples: immutable, and made once or twice per cell and per reading,
where a frozen dataclass costs several times more to build.

Times are seconds since the epoch (the kernel's wall clock), memory is bytes.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping, NamedTuple

from .kernel_ring import STATEMENT
from .store import EXITED, KILLED, OUT_OF_MEMORY, SIGNAL

_SIGKILL = 9  # signal.SIGKILL does not exist on Windows

HOOK_EXACT = "kernel_hook"
HOOK_SAMPLED = "kernel_hook_sampled"
# The same hook in a kernel without a local process (a gateway's): its figures came
# over iopub; the kernel's own readings between cells are usage_request's.
HOOK_REMOTE = "kernel_hook_remote"
HOOK_REMOTE_SAMPLED = "kernel_hook_remote_sampled"
OUTSIDE_EXACT = "outside_hwm"
OUTSIDE_SAMPLED = "outside_sampled"


class Statement(NamedTuple):
    """One top-level statement of a cell, as the hook measured it; ``line`` and
    ``end_line`` are lines of the cell as typed (1-based), None in the last entry of a
    list that sums the ``aggregated`` statements beyond the kernel's limit."""

    line: int | None
    end_line: int | None
    delta: int
    # Above the statement's own start; None when the kernel could not reset its peak.
    peak_increment: int | None
    duration: float
    rss_end: int
    aggregated: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = {"line": self.line, "end_line": self.end_line, "delta": self.delta,
                "peak_increment": self.peak_increment, "duration": self.duration, "rss_end": self.rss_end}
        if self.aggregated is not None:
            data["aggregated"] = self.aggregated
        return data

    @classmethod
    def from_json(cls, data: Any) -> Statement | None:
        """An entry of a hook's comm message; None when it is not one."""
        if not isinstance(data, Mapping):
            return None
        delta, rss_end, duration = _integer(data.get("delta")), _integer(data.get("rss_end")), _number(data.get("duration"))
        if delta is None or rss_end is None or duration is None:
            return None
        return cls(_integer(data.get("line")), _integer(data.get("end_line")), delta,
                   _integer(data.get("peak_increment")), duration, rss_end, _integer(data.get("aggregated")))


class Statements:
    """A cell's statements, kept packed as the ring holds them (40 bytes each, against
    about 230 as tuples of Python numbers): a kernel keeps thousands of records, each
    with up to ``max_statements_per_cell`` statements."""

    __slots__ = ("packed", "aggregated")

    def __init__(self, packed: bytes, aggregated: int = 0):
        self.packed = bytes(packed)
        # The count the last entry sums, 0 when it is a statement of its own.
        self.aggregated = aggregated

    @classmethod
    def of(cls, statements: Iterable[Statement]) -> Statements:
        statements = list(statements)
        packed = b"".join(STATEMENT.pack(-1 if s.line is None else s.line, -1 if s.end_line is None else s.end_line,
                                         s.delta, -1 if s.peak_increment is None else s.peak_increment,
                                         s.duration, s.rss_end) for s in statements)
        return cls(packed, (statements[-1].aggregated or 0) if statements else 0)

    def __iter__(self) -> Iterator[Statement]:
        entries = list(STATEMENT.iter_unpack(self.packed))
        for i, (line, end_line, delta, peak, duration_s, rss_end) in enumerate(entries):
            yield Statement(None if line < 0 else line, None if end_line < 0 else end_line, delta,
                            None if peak < 0 else peak, duration_s, rss_end,
                            self.aggregated if self.aggregated and i == len(entries) - 1 else None)

    def __len__(self) -> int:
        return len(self.packed) // STATEMENT.size

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Statements) and (self.packed, self.aggregated) == (other.packed, other.aggregated)

    def to_json(self) -> list[dict[str, Any]]:
        return [statement.to_json() for statement in self]


def statements_from_json(value: Any) -> Statements | None:
    """A comm message's statements, or None when it has none or any entry is malformed
    (never a list with holes)."""
    if not isinstance(value, list):
        return None
    statements = [Statement.from_json(entry) for entry in value]
    return None if any(s is None for s in statements) else Statements.of(statements)


_PROFILE_LINE_FIELDS = ("line", "hits", "delta", "peak_increment")


def line_profile_from_comm(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """A hook's line profile of one cell's run, checked field by field (the API's
    shape); None for another event. A profile that could not start has ``error``."""
    if data.get("event") != "line_profile":
        return None
    if isinstance(data.get("error"), str):
        return {"error": data["error"][:500], "backend": None, "events": 0, "duration": None, "overhead": None,
                "lines_left_out": 0, "cells": []}
    cells = []
    for cell in data.get("cells") if isinstance(data.get("cells"), list) else []:
        if not isinstance(cell, Mapping) or not isinstance(cell.get("lines"), list):
            continue
        lines = [{**{k: _integer(entry.get(k)) for k in _PROFILE_LINE_FIELDS}, "duration": _number(entry.get("duration"))}
                 for entry in cell["lines"] if isinstance(entry, Mapping)]
        cells.append({"execution_count": _integer(cell.get("execution_count")), "cell_id": None,
                      "lines": [e for e in lines if e["line"] is not None]})
    backend = data.get("backend")
    return {"error": None, "backend": backend if isinstance(backend, str) else None,
            "events": _integer(data.get("events")) or 0, "duration": _number(data.get("duration")),
            "overhead": _number(data.get("overhead")), "lines_left_out": _integer(data.get("lines_left_out")) or 0,
            "cells": cells}


def heap_top_from_comm(data: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """A hook's heap-mode allocation sites of one cell, checked field by field; None for
    another event."""
    if data.get("event") != "heap_top" or not isinstance(data.get("sites"), list):
        return None
    sites = []
    for site in data["sites"][:10]:
        if not isinstance(site, Mapping) or not isinstance(site.get("file"), str):
            continue
        sites.append({"file": site["file"][:4096], "line": _integer(site.get("line")), "size": _integer(site.get("size")),
                      "count": _integer(site.get("count")), "estimated": site.get("estimated") is True,
                      "execution_count": _integer(site.get("execution_count")), "cell_id": None})
    return sites


class HookReport(NamedTuple):
    """What the in-kernel hook measured for one cell, read from its ring slot or from
    its iopub comm message: the same type whichever way it came."""

    started_wall_s: float | None
    ended_wall_s: float | None
    rss_start_bytes: int | None
    rss_end_bytes: int | None
    # The kernel's high-water mark at the cell's end, reset at its start; None when the
    # kernel could not reset it (then it is the process's lifetime peak: useless).
    rss_hwm_bytes: int | None
    success: bool
    heap_delta_bytes: int | None = None
    heap_peak_increment_bytes: int | None = None
    # Its top-level statements in execution order; None from a hook that does not
    # measure them.
    statements: Statements | None = None

    @classmethod
    def from_comm(cls, data: Mapping[str, Any]) -> HookReport | None:
        """The report in a hook's comm message; None for any other event."""
        if data.get("event") != "cell":
            return None
        return cls(
            started_wall_s=_number(data.get("started")),
            ended_wall_s=_number(data.get("ended")),
            rss_start_bytes=_integer(data.get("rss_start")),
            rss_end_bytes=_integer(data.get("rss_end")),
            rss_hwm_bytes=_integer(data.get("rss_hwm")),
            success=data.get("success") is not False,
            heap_delta_bytes=_integer(data.get("heap_delta")),
            heap_peak_increment_bytes=_integer(data.get("heap_peak_increment")),
            statements=statements_from_json(data.get("statements")),
        )

    @property
    def method(self) -> str:
        return HOOK_EXACT if self.rss_hwm_bytes is not None else HOOK_SAMPLED

    @property
    def remote_method(self) -> str:
        return HOOK_REMOTE if self.rss_hwm_bytes is not None else HOOK_REMOTE_SAMPLED


class Figures(NamedTuple):
    """A cell's resident memory at its start and end, and the most it reached."""

    rss_start_bytes: int | None
    rss_end_bytes: int | None
    rss_peak_bytes: int | None

    @classmethod
    def of(cls, rss_start_bytes: int | None, rss_end_bytes: int | None, *peak_candidates: int | None) -> Figures:
        """The peak is the largest of the candidates, the start and the end: a peak
        read after memory was freed can come out below either."""
        values = [v for v in (rss_start_bytes, rss_end_bytes, *peak_candidates) if v is not None]
        return cls(rss_start_bytes, rss_end_bytes, max(values) if values else None)

    def plus_children(self, start_bytes: int, end_bytes: int, most_bytes: int) -> Figures:
        """The kernel's figures with its child processes' added (their largest reading
        to the peak)."""
        if self.rss_start_bytes is None or self.rss_end_bytes is None:
            return self
        peak = None if self.rss_peak_bytes is None else self.rss_peak_bytes + max(start_bytes, end_bytes, most_bytes)
        return Figures.of(self.rss_start_bytes + start_bytes, self.rss_end_bytes + end_bytes, peak)



def hook_figures(report: HookReport, sampled_peak_bytes: int | None) -> Figures:
    """A cell measured by the hook: its own readings; the server's samples during the
    cell can only raise the peak (they matter when the kernel could not reset it)."""
    return Figures.of(report.rss_start_bytes, report.rss_end_bytes, report.rss_hwm_bytes, sampled_peak_bytes)


def died_reason(exit_signal: int | None, exit_code: int | None, oom_kills: int | None,
                rss_peak_bytes: int | None, limit_bytes: int | None, oom_fraction: float) -> str | None:
    """Why a kernel died: the out-of-memory killer when its cgroup counted a kill during
    the cell or, where it keeps no count, when the peak was near the limit."""
    if exit_signal == _SIGKILL:
        near_limit = (limit_bytes is not None and rss_peak_bytes is not None
                      and rss_peak_bytes >= oom_fraction * limit_bytes)
        return OUT_OF_MEMORY if (oom_kills or 0) > 0 or near_limit else KILLED
    if exit_signal is not None:
        return SIGNAL
    if exit_code is not None:
        return EXITED
    return None  # the exit status could not be read


def exit_status(returncode: int | None) -> tuple[int | None, int | None]:
    """``Popen.returncode`` as (exit code, signal)."""
    if returncode is None:
        return None, None
    return (None, -returncode) if returncode < 0 else (returncode, None)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _integer(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None
