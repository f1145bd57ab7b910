"""One kernel's process as seen from outside: its readings, its limit, its exit."""

from __future__ import annotations

import time
from typing import Any

from .config import MemoryUsage
from .figures import OUTSIDE_EXACT, OUTSIDE_SAMPLED
from .limits import MemoryCgroup, MemoryLimit, OomKillReader, limit_of, memory_cgroups, oom_kill_count, oom_kill_file
from .probes import ProcessGone, children_rss_bytes, make_probe
from .remote import RECORD_METHOD, RemoteKernelChannel

# How long an unreadable process may take to become waitable before it is taken as
# gone without an exit status.
_EXIT_STATUS_WAIT_S = 3.0
_UNRESOLVED = object()  # the oom_kill file of a kernel's cgroups, not looked for yet

CgroupState = tuple[list[MemoryCgroup], MemoryLimit | None, int | None]


def local_process(kernel_manager: Any) -> Any | None:
    """The kernel's ``Popen`` when a local provisioner started it, else None."""
    provisioner = getattr(kernel_manager, "provisioner", None)
    process = getattr(provisioner, "process", None)
    if process is None or getattr(process, "pid", None) is None:
        return None
    return process


def has_exited(process: Any) -> bool:
    """True once the process has exited; reaps it if it is a zombie, as the kernel
    manager's own poll would (``Popen`` keeps the exit status for it)."""
    try:
        return process.poll() is not None
    except Exception:  # noqa: BLE001 - a process object without poll() is taken as alive
        return False


def read_cgroup_state(pid: int) -> CgroupState | None:
    """The process's memory cgroups, its limit and its cgroup's oom_kill count; None
    when its cgroup file cannot be read."""
    cgroups = memory_cgroups(pid)
    if not cgroups:
        return None
    return cgroups, limit_of(cgroups), oom_kill_count(cgroups)


class ProcessWatcher:
    def __init__(self, kernel_id: str, config: MemoryUsage, log: Any, force_psutil: bool = False):
        self.kernel_id = kernel_id
        self.config = config
        self.log = log
        self.force_psutil = force_psutil
        self.pid: int | None = None
        self.process: Any | None = None
        self.probe: Any | None = None
        # A kernel without a local process, read through its usage_request (remote.py).
        self.remote: RemoteKernelChannel | None = None
        self.rss_bytes: int | None = None
        self.last_sample_wall_s = 0.0
        self.children_rss_bytes: int | None = None
        # When the figure above was read (a scan's start): a periodic scan that ends
        # after a fresher reading must not put its older figure back.
        self.children_read_wall_s = 0.0
        self.limit: MemoryLimit | None = None
        # The process's memory cgroups, kept after it exits to read its oom_kill count.
        self.cgroups: list[MemoryCgroup] = []
        self.oom_kill_count: int | None = None
        self._oom_kill_reader: Any = _UNRESOLVED
        self.reason: str | None = None
        self.reason_message: str | None = None
        self.process_state = "starting"
        self.restarts = 0
        self._attached_before = False
        self._unreadable_since_monotonic: float | None = None
        # True while the high-water mark counts from the end of the previous execution,
        # which the outside method needs for an exact peak.
        self.outside_hwm_valid = False
        # A failed clear_refs write is said once per kernel, not once per cell.
        self._peak_warning_given = False

    # ----- attach and detach -------------------------------------------------------

    def attach(self, process: Any) -> bool:
        """Watch this process (a new one: the first, or after a restart); False when it
        cannot be read."""
        # Counted here, not where the old process goes: a death noticed by a failed
        # sample leaves no PID behind, and the next one is a restart all the same.
        if self._attached_before:
            self.restarts += 1
        self._attached_before = True
        self.process = process
        self.pid = process.pid
        self._unreadable_since_monotonic = None
        try:
            self.probe = make_probe(self.pid, force_psutil=self.force_psutil)
        except (ProcessGone, RuntimeError) as e:
            self.log.info("memory-usage: cannot read kernel %s (pid %s): %s", self.kernel_id, self.pid, e)
            self.probe = None
            self.reason = "not_supported"
            return False
        self.reason = None
        self.process_state = "alive"
        self.outside_hwm_valid = False
        # The machine's memory, unless the process's cgroups say less.
        self.cgroups, self.limit, self.oom_kill_count = [], limit_of([]), None
        self._forget_oom_kill_file()
        self.refresh_limit()
        return True

    def returncode(self) -> int | None:
        """The exited process's ``Popen.returncode`` (None if unknown)."""
        if self.process is None:
            return None
        try:
            return self.process.poll()
        except Exception:  # noqa: BLE001
            return getattr(self.process, "returncode", None)

    def detach(self) -> None:
        """The process has exited: stop reading it."""
        if self.probe is not None:
            self.probe.close()
        self.probe = None
        self.process = None
        self.pid = None
        self.process_state = "dead"

    def close(self) -> None:
        self._forget_oom_kill_file()
        if self.remote is not None:
            self.remote.close()
        self.process_state = "shutdown"

    def unreadable_for_good(self) -> bool:
        """A reading failed: whether the process is gone. A killed process stops being
        readable while the system frees its memory, tens of ms (more for a large one)
        before its exit status can be read; wait for that status, so the record can
        name the signal."""
        if self.process is not None and not has_exited(self.process):
            now_monotonic = time.monotonic()
            if self._unreadable_since_monotonic is None:
                self._unreadable_since_monotonic = now_monotonic
            if now_monotonic - self._unreadable_since_monotonic < _EXIT_STATUS_WAIT_S:
                return False
        return True

    # ----- limits and the out-of-memory killer ------------------------------------

    def refresh_limit(self) -> None:
        if self.pid is not None:
            self.set_limit(read_cgroup_state(self.pid))

    def set_limit(self, cgroup_state: CgroupState | None) -> None:
        # None: the process's cgroup file could not be read (it has just exited, or the
        # system has no cgroups); what was known stays.
        if cgroup_state is not None:
            self.cgroups, self.limit, self.oom_kill_count = cgroup_state
            self._forget_oom_kill_file()

    def read_oom_kill_count(self) -> int | None:
        """The cgroup's count of out-of-memory kills now (kept as ``oom_kill_count``)."""
        if self._oom_kill_reader is _UNRESOLVED:
            path = oom_kill_file(self.cgroups)
            self._oom_kill_reader = OomKillReader(path) if path else None
        count = self._oom_kill_reader.read() if self._oom_kill_reader else None
        if count is not None:
            self.oom_kill_count = count
        return count

    def _forget_oom_kill_file(self) -> None:
        if isinstance(self._oom_kill_reader, OomKillReader):
            self._oom_kill_reader.close()
        self._oom_kill_reader = _UNRESOLVED

    # ----- readings ----------------------------------------------------------------

    def read(self, with_hwm: bool) -> tuple[int, int | None]:
        """Read the process now (raises ``ProcessGone``); kept as the latest figure."""
        rss, hwm = self.probe.rss_and_hwm_bytes() if with_hwm else (self.probe.rss_bytes(), None)
        # Stamped after the read: a sample dated before a cell's start was then surely
        # read before it, and can stand for the cell's start (stamped first, a thread
        # switch before the read could date a reading from inside the cell earlier).
        self.rss_bytes, self.last_sample_wall_s = rss, time.time()
        return rss, hwm

    def end_reading(self) -> tuple[int | None, int | None]:
        """rss and high-water mark at an execution's end, as read from outside."""
        if self.probe is not None:
            try:
                return self.probe.rss_and_hwm_bytes()
            except ProcessGone:
                return None, None
        if self.remote is not None:
            return self.rss_bytes, None  # the reading the remote channel waited for
        return None, None

    def children_now(self) -> int | None:
        """The children's resident memory now (MemoryUsage.count_children): a scan of
        the process table on the event loop, a millisecond or two, twice per execution."""
        if self.pid is None:
            return None
        self.children_read_wall_s = time.time()
        self.children_rss_bytes = children_rss_bytes(self.pid)
        return self.children_rss_bytes

    def outside_method(self) -> str:
        if self.remote is not None:
            return RECORD_METHOD
        return OUTSIDE_EXACT if self.outside_hwm_valid else OUTSIDE_SAMPLED

    def peak_reset_possible(self) -> bool:
        return bool(self.probe is not None and self.probe.can_reset_peak and self.config.reset_peak)

    def after_execution(self, hook_active: bool) -> None:
        # With the hook, the kernel resets its own peak at each cell's real start; a
        # reset from here could land inside the next cell and hide its first peak.
        if not hook_active and self.config.reset_peak and self.probe is not None:
            could_reset = self.probe.can_reset_peak
            self.outside_hwm_valid = self.probe.reset_peak()
            if could_reset and not self.outside_hwm_valid:
                # The probe gives up on clear_refs after one failed write.
                self.warn_peak_not_reset(f"writing /proc/{self.pid}/clear_refs failed")

    def warn_peak_not_reset(self, why: str) -> None:
        if self._peak_warning_given:
            return
        self._peak_warning_given = True
        self.log.warning(
            "memory-usage: kernel %s (pid %s): %s; its peaks are now the largest of samples taken every %s s, "
            "which may miss short temporaries (method: *_sampled)",
            self.kernel_id, self.pid, why, self.config.busy_sample_interval_s,
        )
