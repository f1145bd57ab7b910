"""In-kernel hook: pins each cell's exact start and end for the server's monitor.

An IPython extension, loaded by the server into every IPython kernel it starts
(or by hand with ``%load_ext jupyterlab_memory_usage.kernel_hook``).  At
``pre_run_cell`` it reads the process's resident memory and resets its
high-water mark; at ``post_run_cell`` it reads both again and publishes the
figures on iopub, with the cell's request as parent, so they reach the server
between that cell's ``busy`` and ``idle``.

This module must stay importable on its own, from the standard library only:
the server may send its source to a kernel whose environment lacks our
package, and every import here is paid by every kernel.
"""

import os
import time

COMM_ID = "jupyterlab-memory-usage"
TOPIC = b"memory-usage"
HOOK_VERSION = 1
STATE_ATTR = "_jupyterlab_memory_usage_hook"


class _ProcSelf:
    """Constant-time reads of this process's memory through kept-open /proc files."""

    def __init__(self):
        self._status_fd = os.open("/proc/self/status", os.O_RDONLY)
        self._statm_fd = os.open("/proc/self/statm", os.O_RDONLY)
        self._page_size = os.sysconf("SC_PAGE_SIZE")
        try:
            self._clear_refs_fd = os.open("/proc/self/clear_refs", os.O_WRONLY)
        except OSError:
            self._clear_refs_fd = None
        self.can_reset_peak = self._clear_refs_fd is not None and self._reset_peak()

    def rss_bytes(self):
        return int(os.pread(self._statm_fd, 128, 0).split()[1]) * self._page_size

    def rss_and_hwm_bytes(self):
        text = os.pread(self._status_fd, 8192, 0)
        return _status_kib(text, b"VmRSS:") * 1024, _status_kib(text, b"VmHWM:") * 1024

    def _reset_peak(self):
        try:
            os.write(self._clear_refs_fd, b"5")
            return True
        except OSError:
            return False

    def reset_peak(self):
        if self.can_reset_peak:
            self.can_reset_peak = self._reset_peak()

    def close(self):
        for fd in (self._status_fd, self._statm_fd, self._clear_refs_fd):
            if fd is not None:
                os.close(fd)


def _status_kib(text, key):
    start = text.index(key) + len(key)
    return int(text[start : text.index(b"\n", start)].split()[0])


class MemoryHook:
    """Callbacks registered on the shell's ``pre_run_cell`` and ``post_run_cell``."""

    def __init__(self, shell):
        self.shell = shell
        self.kernel = getattr(shell, "kernel", None)
        self.proc = _ProcSelf()
        self._started = None
        self._rss_start_bytes = None
        self._peak_was_reset = False

    def pre_run_cell(self, info=None):
        self._started = time.time()
        self._rss_start_bytes = self.proc.rss_bytes()
        self.proc.reset_peak()
        self._peak_was_reset = self.proc.can_reset_peak

    def post_run_cell(self, result=None):
        ended = time.time()
        rss_end_bytes, hwm_bytes = self.proc.rss_and_hwm_bytes()
        if self._started is None:
            return
        success = True
        if result is not None:
            success = result.error_before_exec is None and result.error_in_exec is None
        self._publish(
            {
                "event": "cell",
                "started": self._started,
                "ended": ended,
                "rss_start": self._rss_start_bytes,
                "rss_end": rss_end_bytes,
                # Without a reset the high-water mark is the process's lifetime peak: useless.
                "rss_hwm": hwm_bytes if self._peak_was_reset else None,
                "success": success,
            }
        )
        self._started = None

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
        return {"version": HOOK_VERSION, "pid": os.getpid(), "peak_reset": self.proc.can_reset_peak}

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


def load_ipython_extension(shell):
    """Register the hook once per shell; loading it again replaces the old one."""
    old = getattr(shell, STATE_ATTR, None)
    if old is not None:
        old.unregister()
    hook = MemoryHook(shell)
    hook.register()
    setattr(shell, STATE_ATTR, hook)
    return hook


def unload_ipython_extension(shell):
    hook = getattr(shell, STATE_ATTR, None)
    if hook is not None:
        hook.unregister()
        delattr(shell, STATE_ATTR)
