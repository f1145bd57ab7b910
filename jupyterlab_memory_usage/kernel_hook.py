"""In-kernel hook: pins each cell's exact start and end for the server's monitor.

An IPython extension, loaded by the server into every IPython kernel it starts
(or by hand with ``%load_ext jupyterlab_memory_usage.kernel_hook``).  At
``pre_run_cell`` it reads the process's resident memory and resets its
high-water mark; at ``post_run_cell`` it reads both again and publishes the
figures into one slot of a small ring file the server created for this kernel
process (and mmapped here), keyed by the cell's request ``msg_id``: the server
reads it when that cell's ``idle`` comes, which ipykernel publishes after
``post_run_cell``.  Without a ring file (loaded by hand, or the file could not be
opened) it publishes the figures on iopub instead, with the cell's request as
parent, so they reach the server between that cell's ``busy`` and ``idle``; that
message costs about 130 us per cell, the ring write a few.

Heap mode (opt-in, per kernel, turned on and off by the server through
``MemoryHook.set_heap_mode``): ``tracemalloc`` traces the Python heap (NumPy's
buffers included); each cell then also hands over ``heap_delta`` (bytes allocated
and still held at its end) and ``heap_peak_increment`` (the traced peak above its
start, the peak being reset at its start).  These see allocations that reuse memory
freed earlier, which leave the resident figures unmoved.

This module must stay importable on its own, from the standard library only:
the server may send its source to a kernel whose environment lacks our
package, and every import here is paid by every kernel.
"""

import mmap
import os
import struct
import sys
import time

COMM_ID = "jupyterlab-memory-usage"
TOPIC = b"memory-usage"
HOOK_VERSION = 1
STATE_ATTR = "_jupyterlab_memory_usage_hook"

# The ring file: a header (magic, layout version, slot count, newest sequence number),
# then RING_SLOTS slots of SLOT_SIZE bytes.  A slot holds one cell's figures; the
# slot's sequence number is written last (after zeroing it), so a reader trusts only
# a slot whose sequence number is non-zero and the same before and after it reads it.
# Sequence n (from 1) lives in slot n % RING_SLOTS.
RING_MAGIC = b"JLMURING"
RING_VERSION = 2
RING_SLOTS = 64
RING_HEADER = struct.Struct("<8sIIQ")  # magic, version, slots, newest sequence
RING_HEADER_SIZE = 64
MSG_ID_BYTES = 63
# msg_id, started, ended, rss_start, rss_end, rss_hwm (-1: none), heap_delta,
# heap_peak_increment, flags (FLAG_*); 120 bytes, the sequence number after them.
SLOT_BODY = struct.Struct("<63sddqqqqqB")
FLAG_SUCCESS = 1
FLAG_HEAP = 2  # the heap figures are valid (heap mode was on for the whole cell)
SLOT_SEQ = struct.Struct("<Q")
SLOT_SEQ_OFFSET = 120
SLOT_SIZE = 128
RING_SIZE = RING_HEADER_SIZE + RING_SLOTS * SLOT_SIZE
NEWEST_SEQ_OFFSET = 16


def slot_offset(seq):
    return RING_HEADER_SIZE + (seq % RING_SLOTS) * SLOT_SIZE


class _RingWriter:
    """The kernel's side of the ring file: one slot per finished cell."""

    def __init__(self, path):
        fd = os.open(path, os.O_RDWR)
        try:
            if os.fstat(fd).st_size < RING_SIZE:
                raise ValueError("ring file too small")
            self._mm = mmap.mmap(fd, RING_SIZE, access=mmap.ACCESS_WRITE)
        finally:
            os.close(fd)
        magic, version, slots, newest = RING_HEADER.unpack_from(self._mm, 0)
        if magic != RING_MAGIC or version != RING_VERSION or slots != RING_SLOTS:
            self._mm.close()
            raise ValueError("not a ring file of this layout")
        self._seq = newest

    def write(self, msg_id, started, ended, rss_start, rss_end, rss_hwm, success, heap=None):
        mm = self._mm
        seq = self._seq + 1
        offset = slot_offset(seq)
        seq_offset = offset + SLOT_SEQ_OFFSET
        SLOT_SEQ.pack_into(mm, seq_offset, 0)
        flags = FLAG_SUCCESS if success else 0
        heap_delta = heap_peak_increment = 0
        if heap is not None:
            flags |= FLAG_HEAP
            heap_delta, heap_peak_increment = heap
        SLOT_BODY.pack_into(mm, offset, msg_id, started, ended, rss_start, rss_end, rss_hwm,
                            heap_delta, heap_peak_increment, flags)
        SLOT_SEQ.pack_into(mm, seq_offset, seq)
        SLOT_SEQ.pack_into(mm, NEWEST_SEQ_OFFSET, seq)
        self._seq = seq

    def close(self):
        try:
            self._mm.close()
        except (BufferError, ValueError):
            pass


class ProcMemory:
    """Constant-time reads of a process's memory through kept-open /proc files (the
    hook reads its own process; the server's probe, a subclass, reads a kernel's)."""

    def __init__(self, proc_dir="/proc/self"):
        self._statm_fd = os.open(os.path.join(proc_dir, "statm"), os.O_RDONLY)
        try:
            self._status_fd = os.open(os.path.join(proc_dir, "status"), os.O_RDONLY)
        except OSError:
            os.close(self._statm_fd)
            raise
        self._page_size = os.sysconf("SC_PAGE_SIZE")
        try:
            self._clear_refs_fd = os.open(os.path.join(proc_dir, "clear_refs"), os.O_WRONLY)
        except OSError:
            self._clear_refs_fd = None
        self.can_reset_peak = self._clear_refs_fd is not None

    def _read(self, fd, size):
        return os.pread(fd, size, 0)

    def rss_bytes(self):
        return int(self._read(self._statm_fd, 128).split()[1]) * self._page_size

    def rss_and_hwm_bytes(self):
        text = self._read(self._status_fd, 8192)
        return _status_kib(text, b"VmRSS:") * 1024, _status_kib(text, b"VmHWM:") * 1024

    def reset_peak(self):
        """Reset the high-water mark to the current resident memory; False if refused
        (then never tried again)."""
        if self._clear_refs_fd is None:
            return False
        try:
            os.write(self._clear_refs_fd, b"5")
            return True
        except OSError:
            self._close_clear_refs()
            return False

    def _close_clear_refs(self):
        if self._clear_refs_fd is not None:
            os.close(self._clear_refs_fd)
            self._clear_refs_fd = None
        self.can_reset_peak = False

    def close(self):
        self._close_clear_refs()
        for fd in (self._statm_fd, self._status_fd):
            try:
                os.close(fd)
            except OSError:
                pass


def _status_kib(text, key):
    start = text.index(key) + len(key)
    return int(text[start : text.index(b"\n", start)].split()[0])


class MemoryHook:
    """Callbacks registered on the shell's ``pre_run_cell`` and ``post_run_cell``."""

    def __init__(self, shell, ring_path=None):
        self.shell = shell
        self.kernel = getattr(shell, "kernel", None)
        self.proc = ProcMemory()
        self.proc.reset_peak()  # known to work before the first cell relies on it
        self.ring = None
        self.ring_error = None
        if ring_path is not None and self.kernel is not None:
            try:
                self.ring = _RingWriter(ring_path)
            except (OSError, ValueError) as e:
                self.ring_error = "%s: %s" % (type(e).__name__, e)
        self._started = None
        self._rss_start_bytes = None
        self._peak_was_reset = False
        # Heap mode: the tracemalloc module once turned on, and the traced size at the
        # current cell's start (None: no heap figures for this cell).
        self._tracemalloc = None
        self._heap_start = None

    def set_heap_mode(self, enabled):
        """Start tracing the Python heap, or stop all tracing (tracemalloc.stop())."""
        if enabled:
            import tracemalloc

            self._tracemalloc = tracemalloc
            if not tracemalloc.is_tracing():
                tracemalloc.start()
        else:
            self._heap_start = None
            tracemalloc = self._tracemalloc or sys.modules.get("tracemalloc")
            if tracemalloc is not None:
                tracemalloc.stop()
            self._tracemalloc = None

    def heap_mode(self):
        return self._tracemalloc is not None and self._tracemalloc.is_tracing()

    def pre_run_cell(self, info=None):
        tm = self._tracemalloc
        if tm is not None and tm.is_tracing():
            tm.reset_peak()
            self._heap_start = tm.get_traced_memory()[0]
        else:
            self._heap_start = None
        self._started = time.time()
        self._rss_start_bytes = self.proc.rss_bytes()
        self.proc.reset_peak()
        self._peak_was_reset = self.proc.can_reset_peak

    def post_run_cell(self, result=None):
        ended = time.time()
        rss_end_bytes, hwm_bytes = self.proc.rss_and_hwm_bytes()
        heap = None
        heap_start, self._heap_start = self._heap_start, None
        tm = self._tracemalloc
        if heap_start is not None and tm is not None and tm.is_tracing():
            current, peak = tm.get_traced_memory()
            heap = (current - heap_start, max(peak - heap_start, 0))
        if self._started is None:
            return
        started, self._started = self._started, None
        success = True
        if result is not None:
            success = result.error_before_exec is None and result.error_in_exec is None
        ring = self.ring
        if ring is not None:
            msg_id = self.kernel.get_parent("shell").get("header", {}).get("msg_id")
            if isinstance(msg_id, str):
                key = msg_id.encode("utf-8")
                if len(key) <= MSG_ID_BYTES:
                    ring.write(
                        key, started, ended, self._rss_start_bytes, rss_end_bytes,
                        hwm_bytes if self._peak_was_reset else -1, success, heap,
                    )
                    return
            # An id the slot cannot hold: this cell's figures go by iopub.
        self._publish(
            {
                "event": "cell",
                "started": started,
                "ended": ended,
                "rss_start": self._rss_start_bytes,
                "rss_end": rss_end_bytes,
                # Without a reset the high-water mark is the process's lifetime peak: useless.
                "rss_hwm": hwm_bytes if self._peak_was_reset else None,
                "success": success,
                "heap_delta": heap[0] if heap is not None else None,
                "heap_peak_increment": heap[1] if heap is not None else None,
            }
        )

    def _publish(self, data):
        kernel = self.kernel
        if kernel is None or getattr(kernel, "session", None) is None:
            return
        kernel.session.send(
            kernel.iopub_socket,
            "comm_msg",
            {"comm_id": COMM_ID, "data": data},
            parent=kernel.get_parent("shell"),
            ident=TOPIC,
        )

    def status(self):
        """What the server learns when it loads the hook, through the reply's user_expressions."""
        return {
            "version": HOOK_VERSION,
            "pid": os.getpid(),
            "peak_reset": self.proc.can_reset_peak,
            "ring": self.ring is not None,
            "ring_error": self.ring_error,
            "heap_mode": self.heap_mode(),
        }

    def register(self):
        self.shell.events.register("pre_run_cell", self.pre_run_cell)
        self.shell.events.register("post_run_cell", self.post_run_cell)

    def unregister(self):
        for name, callback in (
            ("pre_run_cell", self.pre_run_cell),
            ("post_run_cell", self.post_run_cell),
        ):
            try:
                self.shell.events.unregister(name, callback)
            except ValueError:
                pass
        self.proc.close()
        if self.ring is not None:
            self.ring.close()
            self.ring = None


def load_ipython_extension(shell, ring_path=None):
    """Register the hook once per shell; loading it again replaces the old one.

    ``ring_path``: the ring file the server created for this kernel process; without
    it the figures go by iopub."""
    old = getattr(shell, STATE_ATTR, None)
    if old is not None:
        old.unregister()
    hook = MemoryHook(shell, ring_path)
    if old is not None:
        hook._tracemalloc = old._tracemalloc  # heap mode survives a reload
    hook.register()
    setattr(shell, STATE_ATTR, hook)
    return hook


def unload_ipython_extension(shell):
    hook = getattr(shell, STATE_ATTR, None)
    if hook is not None:
        hook.unregister()
        delattr(shell, STATE_ATTR)
