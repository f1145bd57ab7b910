"""The server's side of the in-kernel hook's ring file.

Per kernel process the server creates a small file (mode 0600, in a private
directory under the Jupyter runtime directory), and the hook, loaded with its
path, mmaps it and writes one fixed-size slot per finished cell (see
``kernel_hook`` for the layout).  At a cell's ``idle`` the server looks the
cell's ``msg_id`` up among the ring's fixed number of slots, newest first: a
bounded, constant-time read of a few kilobytes of shared memory at most.
"""

from __future__ import annotations

import atexit
import mmap
import os
import shutil
import tempfile
import threading
from . import kernel_ring as layout
from .figures import HookReport, Statements

_dir_lock = threading.Lock()
_private_dir: str | None = None


def _runtime_dir() -> str | None:
    try:
        from jupyter_core.paths import jupyter_runtime_dir

        path = jupyter_runtime_dir()
        os.makedirs(path, mode=0o700, exist_ok=True)
        return path
    except Exception:  # noqa: BLE001 - fall back to the system's temporary directory
        return None


def private_dir() -> str:
    """This server process's own directory for ring files (mode 0700), made once."""
    global _private_dir
    with _dir_lock:
        if _private_dir is None or not os.path.isdir(_private_dir):
            base = _runtime_dir()
            try:
                path = tempfile.mkdtemp(prefix=f"jupyterlab-memory-usage-{os.getpid()}-", dir=base)
            except OSError:
                path = tempfile.mkdtemp(prefix=f"jupyterlab-memory-usage-{os.getpid()}-")
            _private_dir = path
            atexit.register(shutil.rmtree, path, True)
        return _private_dir


class Ring:
    """One kernel process's ring file, created empty and read at each idle."""

    def __init__(self, pid: int, statement_capacity: int = layout.DEFAULT_MAX_STATEMENTS):
        directory = private_dir()
        fd, path = tempfile.mkstemp(prefix=f"kernel-{pid}-", suffix=".ring", dir=directory)
        self._slot_size = layout.slot_size(statement_capacity)
        size = layout.ring_size(statement_capacity)
        try:
            os.fchmod(fd, 0o600)
            os.ftruncate(fd, size)  # zeros: no slot is valid yet
            header = layout.RING_HEADER.pack(layout.RING_MAGIC, layout.RING_VERSION, layout.RING_SLOTS, 0,
                                             statement_capacity, self._slot_size)
            os.pwrite(fd, header, 0)
            self._mm: mmap.mmap | None = mmap.mmap(fd, size, access=mmap.ACCESS_READ)
        except BaseException:
            os.close(fd)
            _unlink(path)
            raise
        os.close(fd)
        self.path = path

    def lookup(self, msg_id: str) -> HookReport | None:
        """The figures the hook wrote for this execution; None when no complete slot
        holds it."""
        mm = self._mm
        if mm is None:
            return None
        key = msg_id.encode("utf-8")
        if len(key) > layout.MSG_ID_BYTES:
            return None
        key = key.ljust(layout.MSG_ID_BYTES, b"\0")
        (newest,) = layout.SLOT_SEQ.unpack_from(mm, layout.NEWEST_SEQ_OFFSET)
        for seq in range(newest, max(newest - layout.RING_SLOTS, 0), -1):
            offset = layout.slot_offset(seq, self._slot_size)
            seq_offset = offset + layout.SLOT_SEQ_OFFSET
            if layout.SLOT_SEQ.unpack_from(mm, seq_offset)[0] != seq:
                continue  # being written, or already overwritten by a later cell
            if mm[offset:offset + layout.MSG_ID_BYTES] != key:
                continue
            (_, started, ended, rss_start, rss_end, rss_hwm, heap_delta, heap_peak_increment,
             flags) = layout.SLOT_BODY.unpack_from(mm, offset)
            statements = _statements(mm, offset) if flags & layout.FLAG_STATEMENTS else None
            if layout.SLOT_SEQ.unpack_from(mm, seq_offset)[0] != seq:
                return None  # overwritten while we read it
            heap = bool(flags & layout.FLAG_HEAP)
            return HookReport(
                started_wall_s=started,
                ended_wall_s=ended,
                rss_start_bytes=rss_start,
                rss_end_bytes=rss_end,
                rss_hwm_bytes=rss_hwm if rss_hwm >= 0 else None,
                success=bool(flags & layout.FLAG_SUCCESS),
                heap_delta_bytes=heap_delta if heap else None,
                heap_peak_increment_bytes=heap_peak_increment if heap else None,
                statements=statements,
            )
        return None

    def close(self) -> None:
        if self._mm is not None:
            self._mm.close()
            self._mm = None
        _unlink(self.path)


def _statements(mm: mmap.mmap, slot: int) -> Statements:
    offset = slot + layout.STATEMENTS_OFFSET
    count, aggregated = layout.STATEMENTS_HEAD.unpack_from(mm, offset)
    offset += layout.STATEMENTS_HEAD.size
    return Statements(mm[offset:offset + count * layout.STATEMENT.size], aggregated)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
