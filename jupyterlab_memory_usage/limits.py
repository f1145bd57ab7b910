"""The memory a kernel may really use: its cgroup's limit, else the machine's RAM;
and how often the out-of-memory killer has struck in its cgroup.

Readers take a root path so tests can hand them real files in a temporary folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class MemoryLimit:
    limit_bytes: int
    source: str  # "cgroup_v2", "cgroup_v1" or "physical"


def _read_text(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


@dataclass(frozen=True)
class MemoryCgroup:
    """A process's cgroup in one hierarchy that has the memory controller. Kept by the
    monitor, because /proc/PID/cgroup says nothing once the process is gone."""

    source: str  # "cgroup_v2" or "cgroup_v1"
    root: str  # where that hierarchy is mounted
    path: str  # the process's cgroup, relative to root

    def limit_bytes(self) -> int | None:
        if self.source == "cgroup_v2":
            return cgroup_v2_limit_bytes(self.root, self.path)
        return cgroup_v1_limit_bytes(self.root, self.path)

    def oom_kill_count(self) -> int | None:
        if self.source == "cgroup_v2":
            return cgroup_v2_oom_kill_count(self.root, self.path)
        return cgroup_v1_oom_kill_count(self.root, self.path)


def _cgroup_path(pid: int | str, proc_root: str) -> tuple[str | None, str | None]:
    """(v2 relative path, v1 memory-controller relative path) from /proc/PID/cgroup."""
    text = _read_text(os.path.join(proc_root, str(pid), "cgroup"))
    v2 = v1 = None
    for line in (text or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, path = parts
        if hierarchy == "0" and controllers == "":
            v2 = path
        elif "memory" in controllers.split(","):
            v1 = path
    return v2, v1


def physical_memory_bytes(proc_root: str = "/proc") -> int | None:
    return _meminfo_bytes("MemTotal", proc_root)


def available_memory_bytes(proc_root: str = "/proc") -> int | None:
    return _meminfo_bytes("MemAvailable", proc_root)


def _meminfo_bytes(key: str, proc_root: str) -> int | None:
    text = _read_text(os.path.join(proc_root, "meminfo"))
    for line in (text or "").splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return None


def _tightest_up_to_root(root: str, relative_path: str, filename: str, no_limit) -> int | None:
    """The smallest limit in ``filename`` from the cgroup up to the mount's root: a
    parent's limit holds its children too. A container that sees its own cgroup at the
    mount's root (no cgroup namespace) finds its limit there, past absent folders."""
    path = relative_path.strip("/")
    tightest = None
    while True:
        value = _read_text(os.path.join(root, path, filename))
        if value and not no_limit(value):
            limit = int(value)
            tightest = limit if tightest is None else min(tightest, limit)
        if not path:
            return tightest
        path = os.path.dirname(path)


def _nearest_up_to_root(root: str, relative_path: str, filename: str) -> str | None:
    """``filename`` of the cgroup itself, else of its nearest ancestor that has it: a
    container without a cgroup namespace sees its own cgroup at the mount's root."""
    path = relative_path.strip("/")
    while True:
        value = _read_text(os.path.join(root, path, filename))
        if value is not None or not path:
            return value
        path = os.path.dirname(path)


def _nearest_path_up_to_root(root: str, relative_path: str, filename: str) -> str | None:
    """Where ``_nearest_up_to_root`` reads ``filename``; None when no level has it."""
    path = relative_path.strip("/")
    while True:
        candidate = os.path.join(root, path, filename)
        if os.path.exists(candidate):
            return candidate
        if not path:
            return None
        path = os.path.dirname(path)


def _oom_kill_line(text: str | None) -> int | None:
    for line in (text or "").splitlines():
        key, _, value = line.partition(" ")
        if key == "oom_kill" and value.strip().isdigit():
            return int(value)
    return None  # kernels before 4.13 have no oom_kill line


def cgroup_v2_oom_kill_count(cgroup_root: str, relative_path: str) -> int | None:
    """The ``oom_kill`` line of the cgroup's ``memory.events``: processes of the cgroup
    and its descendants killed by the out-of-memory killer, whichever limit it enforced."""
    return _oom_kill_line(_nearest_up_to_root(cgroup_root, relative_path, "memory.events"))


def cgroup_v1_oom_kill_count(memory_root: str, relative_path: str) -> int | None:
    """The ``oom_kill`` line of the cgroup's ``memory.oom_control``: its own processes
    killed by the out-of-memory killer (v1 does not count descendants there)."""
    return _oom_kill_line(_nearest_up_to_root(memory_root, relative_path, "memory.oom_control"))


def cgroup_v2_limit_bytes(cgroup_root: str, relative_path: str) -> int | None:
    """The tightest ``memory.max`` from the cgroup up to the root (``max`` = none)."""
    return _tightest_up_to_root(cgroup_root, relative_path, "memory.max", lambda v: v == "max")


def cgroup_v1_limit_bytes(memory_root: str, relative_path: str) -> int | None:
    """The tightest ``memory.limit_in_bytes`` from the cgroup up to the root."""
    # v1 writes "no limit" as a huge page-rounded number near 2**63.
    return _tightest_up_to_root(memory_root, relative_path, "memory.limit_in_bytes", lambda v: int(v) >= 2**60)


def memory_cgroups(
    pid: int | str = "self", proc_root: str = "/proc", cgroup_root: str = "/sys/fs/cgroup"
) -> list[MemoryCgroup]:
    """The process's cgroups that may hold memory files, v2 first. A v1 path is relative
    to the memory hierarchy's own mount, however deeply the cgroup is nested."""
    v2_path, v1_path = _cgroup_path(pid, proc_root)
    cgroups = []
    if v2_path is not None:
        cgroups.append(MemoryCgroup("cgroup_v2", cgroup_root, v2_path))
    if v1_path is not None:
        cgroups.append(MemoryCgroup("cgroup_v1", os.path.join(cgroup_root, "memory"), v1_path))
    return cgroups


def limit_of(cgroups: list[MemoryCgroup], proc_root: str = "/proc") -> MemoryLimit | None:
    """The tightest of the cgroups' limits and the machine's memory."""
    candidates = []
    for cgroup in cgroups:
        limit = cgroup.limit_bytes()
        if limit is not None:
            candidates.append(MemoryLimit(limit, cgroup.source))
    physical = physical_memory_bytes(proc_root)
    if physical is not None:
        candidates.append(MemoryLimit(physical, "physical"))
    return min(candidates, key=lambda c: c.limit_bytes) if candidates else None


def oom_kill_file(cgroups: list[MemoryCgroup]) -> str | None:
    """The file ``oom_kill_count`` reads: found once, then read alone at every execution
    (walking the hierarchy each time cost more than the rest of an execution's work)."""
    for cgroup in cgroups:
        filename = "memory.events" if cgroup.source == "cgroup_v2" else "memory.oom_control"
        path = _nearest_path_up_to_root(cgroup.root, cgroup.path, filename)
        if path is not None and read_oom_kill_count(path) is not None:
            return path
    return None


def read_oom_kill_count(path: str) -> int | None:
    return _oom_kill_line(_read_text(path))


class OomKillReader:
    """Reads one oom_kill file at every execution through a descriptor kept open (an
    open and a close per read cost as much as all the rest of an execution's work)."""

    def __init__(self, path: str):
        self.path = path
        self._fd: int | None = None

    def read(self) -> int | None:
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDONLY)
            return _oom_kill_line(os.pread(self._fd, 4096, 0).decode("ascii", "replace"))
        except OSError:  # the cgroup was removed
            self.close()
            return None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def oom_kill_count(cgroups: list[MemoryCgroup]) -> int | None:
    """The first count found: the memory controller is in one hierarchy only."""
    for cgroup in cgroups:
        count = cgroup.oom_kill_count()
        if count is not None:
            return count
    return None

