"""How an execution ends when its kernel's process does, or when the server stops."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .figures import Figures, died_reason, exit_status
from .store import CONNECTION_LOST, DIED, SERVER_STOPPED, ExecutionRecord

if TYPE_CHECKING:
    from .tracker import OpenExecution


@dataclass(frozen=True, slots=True)
class Death:
    ended_wall_s: float
    is_server_stop: bool = False
    is_connection_lost: bool = False
    exit_code: int | None = None
    exit_signal: int | None = None
    # The cgroup's oom_kill count before the process went (as last read) and after.
    oom_kill_count_before: int | None = None
    oom_kill_count_now: int | None = None
    rss_now_bytes: int | None = None
    limit_bytes: int | None = None

    @classmethod
    def server_stop(cls, ended_wall_s: float) -> Death:
        return cls(ended_wall_s, is_server_stop=True)

    @classmethod
    def connection_lost(cls, ended_wall_s: float) -> Death:
        return cls(ended_wall_s, is_connection_lost=True)

    @classmethod
    def process_exit(cls, ended_wall_s: float, returncode: int | None, **readings: int | None) -> Death:
        exit_code, exit_signal = exit_status(returncode)
        return cls(ended_wall_s, exit_code=exit_code, exit_signal=exit_signal, **readings)


def end_as_died(record: ExecutionRecord, open_execution: OpenExecution, death: Death, oom_fraction: float) -> None:
    """Started (its busy came) and never ended: it ran when the kernel died, even if
    its execute_input was lost with the kernel."""
    record.status = DIED
    record.ended = death.ended_wall_s
    if record.started is not None:
        record.duration = death.ended_wall_s - record.started
    if death.is_server_stop or death.is_connection_lost:
        # Its end was never seen: its figures are the last ones read.
        record.died_reason = SERVER_STOPPED if death.is_server_stop else CONNECTION_LOST
        return
    record.exit_code, record.exit_signal = death.exit_code, death.exit_signal
    peaks = [open_execution.rss_peak_seen_bytes]
    if open_execution.children_start_bytes is None:
        peaks.append(record.rss_peak)  # with children, the live peak held them; a dead kernel's is its own
    record.set_figures(Figures.of(open_execution.kernel_rss_start_bytes, death.rss_now_bytes, *peaks))
    if death.oom_kill_count_now is not None and open_execution.oom_kill_count_start is not None:
        record.oom_kills = death.oom_kill_count_now - open_execution.oom_kill_count_start
    record.died_reason = died_reason(record.exit_signal, record.exit_code, record.oom_kills, record.rss_peak,
                                     death.limit_bytes, oom_fraction)
