"""Headless runs: a notebook executed by nbclient (``jupyter memory-usage execute``) or
papermill (``--engine memory_usage``) with the kernel hook loaded, and each code cell's
figures written into its metadata under ``memory_usage``, with the API's field names.

The hook is the one the server loads (its source, sent through the kernel's shell
channel, so the kernel's environment needs nothing of ours). Without a ring file it
sends each cell's figures on iopub as a comm message whose parent is the cell's
request, before that cell's ``idle``: ``process_message`` takes them there. So the
figures are the badges' figures: exact change and exact peak, in every cell.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbclient.util import run_sync

from .figures import HookReport, died_reason, exit_status, hook_figures
from .hook_control import STATUS_EXPRESSION, hook_loader_code, hook_status
from .kernel_hook import COMM_ID
from .limits import MemoryCgroup, limit_of, memory_cgroups, oom_kill_count
from .store import DIED, ERROR, OK, ExecutionRecord
from .units import format_bytes

METADATA_KEY = "memory_usage"
# A kernel killed while its memory was at this fraction of its limit ran out of memory
# (where the cgroup keeps no count of the killer's kills), as on the server.
OOM_FRACTION = 0.9


class CellFailure(Exception):
    """Why a headless run stopped: the cell, and what happened to it."""

    def __init__(self, cell_index: int, record: dict[str, Any], why: str):
        super().__init__(why)
        self.cell_index = cell_index
        self.record = record
        self.why = why


class MemoryUsageRecorder:
    """Mixed in before an nbclient ``NotebookClient`` (papermill's included): loads the
    hook once the kernel is up and records every code cell it runs.

    ``memory_usage_records``: the cells' records in the order they ran, each with its
    ``cell_index``; ``memory_usage_unavailable``: why there are no figures (not an
    IPython kernel, the hook could not load), or None."""

    memory_usage_records: list[dict[str, Any]]
    # What ran the notebook, as the metadata says it.
    memory_usage_runner = "jupyter memory-usage execute"
    memory_usage_unavailable: str | None = None
    memory_usage_failure: CellFailure | None = None

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._memory_usage_reset()

    def _memory_usage_reset(self) -> None:
        self.memory_usage_records = []
        self.memory_usage_unavailable = None
        self.memory_usage_failure = None
        self._reports: dict[int, tuple[str | None, HookReport]] = {}
        self._pid: int | None = None
        self._cgroups: list[MemoryCgroup] = []
        self._run_started = datetime.now(timezone.utc).isoformat(timespec="seconds")

    async def async_start_new_kernel_client(self) -> Any:
        kc = await super().async_start_new_kernel_client()  # type: ignore[misc]
        self._memory_usage_reset()
        await self._load_hook()
        return kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _load_hook(self) -> None:
        spec = getattr(self.km, "kernel_spec", None)
        if spec is None or (spec.language or "").lower() != "python":
            self.memory_usage_unavailable = "not an IPython kernel: the memory hook needs IPython"
            return
        msg_id = self.kc.execute(hook_loader_code(None), silent=True, store_history=False,
                                 user_expressions={"hook": STATUS_EXPRESSION})
        reply = await self.async_wait_for_reply(msg_id)
        content = (reply or {}).get("content") or {}
        status = hook_status(content)
        if content.get("status") != "ok" or status is None:
            self.memory_usage_unavailable = (
                f"the memory hook could not load: {content.get('ename') or 'no status'} {content.get('evalue') or ''}"
            ).strip()
            return
        self._pid = status.get("pid") if isinstance(status.get("pid"), int) else None
        if self._pid is not None and _is_local(self.km, self._pid):
            self._cgroups = memory_cgroups(self._pid)

    def process_message(self, msg: dict[str, Any], cell: Any, cell_index: int) -> Any:
        content = msg.get("content") or {}
        if msg.get("msg_type") == "comm_msg" and content.get("comm_id") == COMM_ID:
            report = HookReport.from_comm(content.get("data") or {})
            if report is not None:
                self._reports[cell_index] = ((msg.get("parent_header") or {}).get("msg_id"), report)
            return None  # the hook's figures are no output of the cell's
        return super().process_message(msg, cell, cell_index)  # type: ignore[misc]

    async def async_execute_cell(self, cell: Any, cell_index: int, execution_count: int | None = None,
                                 store_history: bool = True) -> Any:
        measured = cell.cell_type == "code" and cell.source.strip() and self.memory_usage_unavailable is None
        if not measured:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)  # type: ignore[misc]
        oom_kills_before = oom_kill_count(self._cgroups)
        started = time.time()
        try:
            result = await super().async_execute_cell(cell, cell_index, execution_count, store_history)  # type: ignore[misc]
        except DeadKernelError:
            record = self._record_death(cell, cell_index, started, oom_kills_before)
            self.memory_usage_failure = CellFailure(cell_index, record, _death_sentence(record))
            raise
        except CellExecutionError as error:
            record = self._record(cell, cell_index, ERROR)
            self.memory_usage_failure = CellFailure(cell_index, record, f"raised {error.ename}: {error.evalue}")
            raise
        except CellTimeoutError:
            record = self._record(cell, cell_index, ERROR)
            self.memory_usage_failure = CellFailure(cell_index, record, f"ran longer than {self.timeout} s (the timeout)")
            raise
        self._record(cell, cell_index, OK)
        return result

    execute_cell = run_sync(async_execute_cell)

    def _record(self, cell: Any, cell_index: int, status: str) -> dict[str, Any]:
        msg_id, report = self._reports.pop(cell_index, (None, None))
        record = ExecutionRecord(msg_id=msg_id or "", cell_id=cell.get("id"), status=status,
                                 execution_count=cell.get("execution_count"), pid=self._pid)
        if report is not None:
            record.started, record.ended = report.started_wall_s, report.ended_wall_s
            if record.started is not None and record.ended is not None:
                record.duration = record.ended - record.started
            record.method = report.method
            record.statements = report.statements
            record.heap_delta, record.heap_peak_increment = report.heap_delta_bytes, report.heap_peak_increment_bytes
            record.set_figures(hook_figures(report, None))
            if not report.success:
                record.status = ERROR
        return self._keep(cell, cell_index, record)

    def _record_death(self, cell: Any, cell_index: int, started: float, oom_kills_before: int | None) -> dict[str, Any]:
        record = ExecutionRecord(msg_id="", cell_id=cell.get("id"), status=DIED, started=started,
                                 ended=time.time(), pid=self._pid)
        record.duration = record.ended - started
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        returncode = process.poll() if process is not None else None
        record.exit_code, record.exit_signal = exit_status(returncode)
        oom_kills_after = oom_kill_count(self._cgroups)
        if oom_kills_before is not None and oom_kills_after is not None:
            record.oom_kills = oom_kills_after - oom_kills_before
        limit = limit_of(self._cgroups) if self._cgroups else None
        record.died_reason = died_reason(record.exit_signal, record.exit_code, record.oom_kills, None,
                                         limit.limit_bytes if limit else None, OOM_FRACTION)
        data = self._keep(cell, cell_index, record)
        data["limit"] = limit.limit_bytes if limit else None
        return data

    def _keep(self, cell: Any, cell_index: int, record: ExecutionRecord) -> dict[str, Any]:
        data = record.to_json()
        for name in ("seq", "msg_id", "notebook_path", "line_profile", "heap_top"):
            data.pop(name, None)
        data["headless"] = {"run_started": self._run_started, "runner": self.memory_usage_runner}
        cell.setdefault("metadata", {})[METADATA_KEY] = data
        self.memory_usage_records.append({"cell_index": cell_index, **data})
        return data


class MemoryUsageClient(MemoryUsageRecorder, NotebookClient):
    """nbclient's client, recording each cell's memory (``jupyter memory-usage execute``)."""


def _is_local(kernel_manager: Any, pid: int) -> bool:
    """The hook's process is the kernel manager's own (a local kernel, not a remote one
    whose pid means nothing here)."""
    provisioner = getattr(kernel_manager, "provisioner", None)
    process = getattr(provisioner, "process", None)
    return process is not None and getattr(process, "pid", None) == pid


def _death_sentence(record: dict[str, Any]) -> str:
    reason = record.get("died_reason")
    if reason == "out_of_memory":
        limit = record.get("limit")
        return "the kernel ran out of memory" + (f" (its limit is {format_bytes(limit)})" if limit else "")
    if reason == "killed":
        return "the kernel was killed (SIGKILL)"
    if reason == "signal":
        return f"the kernel died of signal {record.get('exit_signal')}"
    if reason == "exited":
        return f"the kernel exited with code {record.get('exit_code')}"
    return "the kernel died"
