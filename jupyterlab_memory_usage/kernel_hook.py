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

Each top-level statement of a cell (IPython compiles and runs each as its own code
object through ``InteractiveShell.run_code``, which the hook wraps) is measured the
same way: resident memory and the high-water mark read at its start and end, the
mark reset at its start, so every statement gets an exact change and peak.  The
cell's own peak is the highest mark read during it.

Heap mode (opt-in, per kernel, turned on and off by the server through
``MemoryHook.set_heap_mode``): ``tracemalloc`` traces the Python heap (NumPy's
buffers included); each cell then also hands over ``heap_delta`` (bytes allocated
and still held at its end) and ``heap_peak_increment`` (the traced peak above its
start, the peak being reset at its start).  These see allocations that reuse memory
freed earlier, which leave the resident figures unmoved.

This module and ``kernel_ring`` use the standard library only: the server may send
their source to a kernel whose environment lacks our package, and every import
here is paid by every kernel.
"""

import os
import sys
import time

try:
    from .kernel_heap import HeapSites
    from .kernel_lines import BACKEND as LINE_PROFILE_BACKEND
    from .kernel_lines import LineProfiler, LineProfileUnavailable, per_event_cost_s
    from .kernel_ring import DEFAULT_MAX_STATEMENTS, MSG_ID_BYTES, RingWriter
    from .kernel_statements import StatementLog, code_lines, leading_blank_lines
    from .kernel_bindings import NameBindings
    from .kernel_variables import size_variables
except ImportError:  # run from source by the server's loader, which runs theirs first
    LINE_PROFILE_BACKEND = BACKEND  # noqa: F821 - defined by kernel_lines' source

COMM_ID = "jupyterlab-memory-usage"
TOPIC = b"memory-usage"
HOOK_VERSION = 1
STATE_ATTR = "_jupyterlab_memory_usage_hook"

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
    """Callbacks registered on the shell's ``pre_run_cell`` and ``post_run_cell``, and a
    wrapper around its ``run_code``, which IPython calls once per top-level statement."""

    def __init__(self, shell, ring_path=None, max_statements=DEFAULT_MAX_STATEMENTS):
        self.shell = shell
        self.kernel = getattr(shell, "kernel", None)
        self.proc = ProcMemory()
        self.proc.reset_peak()  # known to work before the first cell relies on it
        self.ring = None
        self.ring_error = None
        if ring_path is not None and self.kernel is not None:
            try:
                self.ring = RingWriter(ring_path)
            except (OSError, ValueError) as e:
                self.ring_error = "%s: %s" % (type(e).__name__, e)
        self.max_statements = max(int(max_statements), 1)
        if self.ring is not None:
            self.max_statements = min(self.max_statements, self.ring.statement_capacity)
        self._started = None
        self._rss_start_bytes = None
        self._peak_was_reset = False
        # The running cell's statements (None between cells and in silent executions),
        # the highest high-water mark read during it (each statement resets the mark),
        # and how many lines IPython dropped from its start.
        self._statements = None
        self._cell_hwm_bytes = 0
        self._line_offset = 0
        self._depth = 0  # run_code calls in progress: only the outermost is a statement
        self._inner_run_code = None
        self._had_own_run_code = False
        # Line by line (kernel_lines), armed for one cell's next run: its id as the
        # frontend sends it in the request's metadata, "" for the next cell whatever it
        # is, None when not armed.  Lines IPython dropped from the top of earlier cells,
        # by their file, so that their functions' lines are the cells' as typed.
        self.line_profile_armed = None
        self._line_profiler = None
        self._offsets = {}
        self._offset_pending = False
        # Heap mode: the tracemalloc module once turned on, and the traced size at the
        # current cell's start (None: no heap figures for this cell).
        self._tracemalloc = None
        self._heap_start = None
        self._heap_sites = None
        # Which cell last bound each global name (names bound before the hook: none).
        self.bindings = NameBindings(shell.user_ns)
        # The last cell's figures, for a reader in the kernel (the terminal's line):
        # (started, ended, rss_start, rss_end, hwm or None, success, StatementLog).
        self.last_cell = None

    def set_heap_mode(self, enabled, frames=1):
        """Start tracing the Python heap (keeping ``frames`` frames of each allocation),
        or stop all tracing (tracemalloc.stop())."""
        if enabled:
            import tracemalloc

            self._tracemalloc = tracemalloc
            if not tracemalloc.is_tracing():
                tracemalloc.start(max(int(frames), 1))
            self._start_heap_sites()
        else:
            self._heap_start = None
            self._heap_sites = None
            tracemalloc = self._tracemalloc or sys.modules.get("tracemalloc")
            if tracemalloc is not None:
                tracemalloc.stop()
            self._tracemalloc = None

    def _start_heap_sites(self):
        # The files of our code as this kernel runs it: real paths, or the loader's names.
        own = (MemoryHook.post_run_cell.__code__.co_filename, HeapSites.__init__.__code__.co_filename,
               self._tracemalloc.__file__)
        self._heap_sites = HeapSites(self._tracemalloc, own, self._cells_files())

    def _cells_files(self):
        """IPython's map of the files it compiled cells into to their execution counts."""
        cells = getattr(getattr(self.shell, "compile", None), "_filename_map", None)
        return cells if isinstance(cells, dict) else None

    def heap_mode(self):
        return self._tracemalloc is not None and self._tracemalloc.is_tracing()

    def pre_run_cell(self, info=None):
        tm = self._tracemalloc
        if tm is not None and tm.is_tracing():
            tm.reset_peak()
            self._heap_start = tm.get_traced_memory()[0]
        else:
            self._heap_start = None
        raw_cell = getattr(info, "raw_cell", None)
        self._line_offset = leading_blank_lines(raw_cell) if isinstance(raw_cell, str) else 0
        self._offset_pending = self._line_offset > 0
        self._statements = StatementLog(self.max_statements)
        self._cell_hwm_bytes = 0
        profile_error = self._maybe_start_line_profile()
        self._started = time.time()
        self._rss_start_bytes = self.proc.rss_bytes()
        self.proc.reset_peak()
        self._peak_was_reset = self.proc.can_reset_peak
        if profile_error is not None:
            self._publish({"event": "line_profile", "error": profile_error})

    # ----- line by line ----------------------------------------------------------

    def arm_line_profile(self, cell_id):
        """Profile the next run of this cell (None: disarm; "": whatever cell runs next)."""
        self.line_profile_armed = cell_id

    def _maybe_start_line_profile(self):
        armed = self.line_profile_armed
        if armed is None or self.kernel is None:
            return None
        if armed:
            metadata = self.kernel.get_parent("shell").get("metadata") or {}
            if metadata.get("cellId") != armed:
                return None
        self.line_profile_armed = None
        cells = self._cells_files()
        if cells is None:
            return "this IPython keeps no map of its cells' files"
        profiler = LineProfiler(self.proc, cells, self._offsets, per_event_cost_s(self.proc))
        try:
            profiler.start()
        except LineProfileUnavailable as e:
            return str(e)
        self._line_profiler = profiler
        return None

    def _stop_line_profile(self):
        profiler, self._line_profiler = self._line_profiler, None
        if profiler is None:
            return None
        profiler.stop()
        return profiler

    def _rss_and_hwm(self):
        """Resident memory and the high-water mark, the line profiler's resets included."""
        rss, hwm = self.proc.rss_and_hwm_bytes()
        profiler = self._line_profiler
        if profiler is not None and profiler.hwm_bytes > hwm:
            hwm = profiler.hwm_bytes
        return rss, hwm

    async def run_code(self, code_obj, result=None, *, async_=False):
        """One top-level statement of a cell: its resident memory at its start and end,
        the most it reached (the high-water mark reset at its start), its duration."""
        statements = self._statements
        if statements is None or self._depth:
            return await self._inner_run_code(code_obj, result, async_=async_)
        self._depth += 1
        try:
            if self._offset_pending:
                self._note_offset(code_obj.co_filename)
            rss_start, hwm = self._rss_and_hwm()
            if hwm > self._cell_hwm_bytes:
                self._cell_hwm_bytes = hwm  # what the cell reached before this statement
            profiler = self._line_profiler
            if profiler is not None:
                profiler.note_hwm(hwm)  # the line still open, the last of the statement before
            peak_reset = self.proc.reset_peak()
            if profiler is not None:
                profiler.hwm_bytes = 0
            started = time.perf_counter()
            try:
                return await self._inner_run_code(code_obj, result, async_=async_)
            finally:
                duration_s = time.perf_counter() - started
                rss_end, hwm = self._rss_and_hwm()
                if hwm > self._cell_hwm_bytes:
                    self._cell_hwm_bytes = hwm
                delta = rss_end - rss_start
                # A mark read after memory was freed can come out a little below the start.
                peak = max(hwm - rss_start, delta, 0) if peak_reset else None
                statements.add(code_lines(code_obj, self._line_offset), delta, peak, duration_s, rss_end)
        finally:
            self._depth -= 1

    def _note_offset(self, filename):
        self._offset_pending = False
        if len(self._offsets) >= 1000:
            self._offsets.pop(next(iter(self._offsets)))
        self._offsets[filename] = self._line_offset

    def post_run_cell(self, result=None):
        ended = time.time()
        profiler = self._stop_line_profile()
        rss_end_bytes, hwm_bytes = self.proc.rss_and_hwm_bytes()
        parent = self.kernel.get_parent("shell") if self.kernel is not None else {}
        msg_id = parent.get("header", {}).get("msg_id")
        self.bindings.note(self.shell.user_ns, getattr(result, "execution_count", None),
                           (parent.get("metadata") or {}).get("cellId"), msg_id)
        hwm_bytes = max(hwm_bytes, self._cell_hwm_bytes, profiler.hwm_bytes if profiler is not None else 0)
        statements, self._statements = self._statements, None
        heap = None
        heap_start, self._heap_start = self._heap_start, None
        tm = self._tracemalloc
        heap_top = None
        if heap_start is not None and tm is not None and tm.is_tracing():
            current, peak = tm.get_traced_memory()
            heap = (current - heap_start, max(peak - heap_start, 0))
            if self._heap_sites is not None:
                heap_top = self._heap_sites.top_grown(self._offsets)
        if self._started is None:
            return
        started, self._started = self._started, None
        success = True
        if result is not None:
            success = result.error_before_exec is None and result.error_in_exec is None
        self.last_cell = (started, ended, self._rss_start_bytes, rss_end_bytes,
                          hwm_bytes if self._peak_was_reset else None, success, statements)
        if profiler is not None:
            self._publish({"event": "line_profile", **profiler.result()})
        if heap_top is not None:
            self._publish({"event": "heap_top", "sites": heap_top})
        ring = self.ring
        if ring is not None:
            if isinstance(msg_id, str):
                key = msg_id.encode("utf-8")
                if len(key) <= MSG_ID_BYTES:
                    ring.write(
                        key, started, ended, self._rss_start_bytes, rss_end_bytes,
                        hwm_bytes if self._peak_was_reset else -1, success, heap, statements,
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
                "statements": statements.to_json() if statements is not None else None,
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

    def variables(self, budget_s):
        """The namespace's variables and their sizes (kernel_variables), as JSON: the
        server reads it through the reply's user_expressions, the kernel idle."""
        import json

        rss_bytes = self.proc.rss_bytes()
        return json.dumps(size_variables(self.shell, self.bindings, float(budget_s), rss_bytes, exclude=(self,)))

    def status(self):
        """What the server learns when it loads the hook, through the reply's user_expressions."""
        return {
            "version": HOOK_VERSION,
            "pid": os.getpid(),
            "peak_reset": self.proc.can_reset_peak,
            "ring": self.ring is not None,
            "ring_error": self.ring_error,
            "heap_mode": self.heap_mode(),
            "line_profile_armed": self.line_profile_armed,
            "line_profile_backend": LINE_PROFILE_BACKEND,
        }

    def register(self):
        self.shell.events.register("pre_run_cell", self.pre_run_cell)
        self.shell.events.register("post_run_cell", self.post_run_cell)
        # Another extension may have wrapped run_code before us: ours calls its wrapper.
        self._had_own_run_code = "run_code" in vars(self.shell)
        self._inner_run_code = self.shell.run_code
        self.shell.run_code = self.run_code

    def unregister(self):
        for name, callback in (
            ("pre_run_cell", self.pre_run_cell),
            ("post_run_cell", self.post_run_cell),
        ):
            try:
                self.shell.events.unregister(name, callback)
            except ValueError:
                pass
        self._stop_line_profile()
        if vars(self.shell).get("run_code") == self.run_code:
            if self._had_own_run_code:
                self.shell.run_code = self._inner_run_code
            else:
                del self.shell.run_code
        self.proc.close()
        if self.ring is not None:
            self.ring.close()
            self.ring = None


def load_ipython_extension(shell, ring_path=None, max_statements=DEFAULT_MAX_STATEMENTS):
    """Register the hook once per shell; loading it again replaces the old one.

    ``ring_path``: the ring file the server created for this kernel process; without
    it the figures go by iopub.  ``max_statements``: entries per cell, the statements
    beyond them summed into the last."""
    old = getattr(shell, STATE_ATTR, None)
    if old is not None:
        old.unregister()
    hook = MemoryHook(shell, ring_path, max_statements)
    if old is not None:
        hook._tracemalloc = old._tracemalloc  # heap mode survives a reload
        if hook.heap_mode():
            hook._start_heap_sites()
    hook.register()
    setattr(shell, STATE_ATTR, hook)
    return hook


def unload_ipython_extension(shell):
    hook = getattr(shell, STATE_ATTR, None)
    if hook is not None:
        hook.unregister()
        delattr(shell, STATE_ATTR)
