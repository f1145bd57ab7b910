"""Reading a kernel process's resident memory from outside.

On Linux through ``/proc/PID/statm`` and ``/proc/PID/status``, kept open so that a
reading costs a few microseconds whatever the process's size; the high-water mark
(``VmHWM``) is reset by writing ``5`` to ``/proc/PID/clear_refs``. Elsewhere psutil,
whose peak can only come from sampling.
"""

from __future__ import annotations

import os

from .kernel_hook import ProcMemory

try:
    import psutil
except ImportError:  # psutil is a dependency; this keeps /proc-only systems working.
    psutil = None


class ProcessGone(Exception):
    """The process being read has exited (or is a zombie waiting to be reaped)."""


class ProcfsProbe(ProcMemory):
    """A kernel's memory through its /proc files, kept open (the hook's own reader,
    with a process that exits told apart from a reading that fails)."""

    method = "procfs"

    def __init__(self, pid: int, proc_root: str = "/proc"):
        self.pid = pid
        try:
            super().__init__(os.path.join(proc_root, str(pid)))
        except FileNotFoundError as e:
            raise ProcessGone(pid) from e

    def _read(self, fd: int, size: int) -> bytes:
        try:
            text = os.pread(fd, size, 0)
        except OSError as e:  # ProcessLookupError, FileNotFoundError, ESRCH
            raise ProcessGone(self.pid) from e
        if not text:
            raise ProcessGone(self.pid)
        return text

    def rss_bytes(self) -> int:
        rss = super().rss_bytes()
        if rss == 0:  # a zombie: the memory is already gone
            raise ProcessGone(self.pid)
        return rss

    def rss_and_hwm_bytes(self) -> tuple[int, int | None]:
        try:
            return super().rss_and_hwm_bytes()
        except ValueError as e:  # zombies have no Vm* lines
            raise ProcessGone(self.pid) from e


class PsutilProbe:
    """For systems without /proc: no high-water mark, so peaks come from samples."""

    method = "psutil"
    can_reset_peak = False

    def __init__(self, pid: int):
        if psutil is None:
            raise RuntimeError("psutil is not installed")
        self.pid = pid
        try:
            self._process = psutil.Process(pid)
        except psutil.NoSuchProcess as e:
            raise ProcessGone(pid) from e

    def rss_bytes(self) -> int:
        try:
            if self._process.status() == psutil.STATUS_ZOMBIE:
                raise ProcessGone(self.pid)
            return self._process.memory_info().rss
        except (psutil.NoSuchProcess, psutil.ZombieProcess) as e:
            raise ProcessGone(self.pid) from e

    def rss_and_hwm_bytes(self) -> tuple[int, int | None]:
        return self.rss_bytes(), None

    def reset_peak(self) -> bool:
        return False

    def close(self) -> None:
        pass


def make_probe(pid: int, force_psutil: bool = False) -> ProcfsProbe | PsutilProbe:
    if not force_psutil and os.path.exists(f"/proc/{pid}/statm"):
        return ProcfsProbe(pid)
    return PsutilProbe(pid)


def descendants_rss_bytes(pids: list[int], proc_root: str = "/proc") -> dict[int, int]:
    """Summed resident memory of each process's descendants, from one pass over the
    process table: psutil's ``children()`` walks the whole table for every call, so one
    call per kernel made a scan cost (number of kernels x processes on the machine)
    reads. Call it off the event loop."""
    table = _process_table(proc_root)
    if table is None:
        return {pid: _psutil_descendants_rss_bytes(pid) for pid in pids}
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    result = {}
    for root in pids:
        total, stack, seen = 0, list(children.get(root, ())), set()
        while stack:
            pid = stack.pop()
            if pid in seen:
                continue
            seen.add(pid)
            total += table[pid][1]
            stack.extend(children.get(pid, ()))
        result[root] = total
    return result


def children_rss_bytes(pid: int) -> int:
    """Summed resident memory of one process's descendants (see descendants_rss_bytes)."""
    return descendants_rss_bytes([pid])[pid]


_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _process_table(proc_root: str) -> dict[int, tuple[int, int]] | None:
    """Every process's parent and resident bytes, from /proc/PID/stat (one read each);
    None where there is no /proc."""
    try:
        names = os.listdir(proc_root)
    except OSError:
        return None
    table = {}
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(os.path.join(proc_root, name, "stat"), "rb") as f:
                data = f.read()
            # The command name, in parentheses, may hold spaces and parentheses itself.
            fields = data[data.rindex(b")") + 2:].split()
            table[int(name)] = (int(fields[1]), int(fields[21]) * _PAGE_SIZE)
        except (OSError, ValueError, IndexError):
            continue  # exited meanwhile
    return table


def _psutil_descendants_rss_bytes(pid: int) -> int:
    if psutil is None:
        return 0
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return 0
    total = 0
    for child in children:
        try:
            total += child.memory_info().rss
        except psutil.Error:
            pass
    return total
