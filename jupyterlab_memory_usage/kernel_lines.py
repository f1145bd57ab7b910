"""Line by line: the memory of every line run in code from a notebook's cells (opt-in).

For one cell's run, asked for by the user, the hook starts a ``LineProfiler`` at the
cell's start and stops it at its end.  Every line run in code compiled from a cell
(the cell itself, and the functions and classes that earlier cells defined) gets its
hits, the change of resident memory from its start to the next line run, the most
memory reached above its start (the high-water mark is reset at every line), and its
time.  What a line calls outside the notebook's code (NumPy, pandas) counts to that
line.  Python 3.12 and later: ``sys.monitoring`` LINE events, turned off at their first
event for code from elsewhere.  Older Pythons: ``sys.settrace``, with a line tracer in
frames of the cells' code only.  The main thread only.

Sent to the kernel as source with the hook: standard library only.
"""

import sys
import time

BACKEND = "sys.monitoring" if hasattr(sys, "monitoring") else "settrace"
_TOOL_NAME = "jupyterlab-memory-usage"
# Lines in one result at most (the heaviest kept): a profile of a long loop through many
# functions must not make a record of megabytes.
MAX_LINES = 2000


class LineProfileUnavailable(Exception):
    """Another tool holds the tracing hooks (a debugger, a profiler)."""


class LineProfiler:
    def __init__(self, proc, cells, offsets=None, per_event_cost_s=None):
        """``proc``: a ``ProcMemory``; ``cells``: filename -> execution count of the code
        compiled from cells (IPython's own map, read live: the running cell is compiled
        after the profiler starts); ``offsets``: filename -> lines IPython dropped from
        that cell's top; ``per_event_cost_s``: the profiler's own cost per line, to say
        what it added to the run."""
        self.proc = proc
        self.per_event_cost_s = per_event_cost_s
        self.cells = cells
        self.offsets = offsets or {}
        self.backend = BACKEND
        # The highest high-water mark read: each line resets the mark, so whoever else
        # reads it (the hook, for the statement and the cell) takes this into account.
        self.hwm_bytes = 0
        # (filename, line) -> [hits, delta, peak_increment, duration_s]
        self.stats = {}
        self.events = 0
        self.started_monotonic = None
        self.duration_s = 0.0
        self._current = None
        self._rss_bytes = 0
        self._since = 0.0
        # The highest mark read by others (the hook, before it resets the mark at a
        # statement's start) while the current line ran.
        self._current_hwm_bytes = 0
        self._tool = None

    # ----- one line ---------------------------------------------------------------

    def _line(self, filename, line):
        now = time.perf_counter()
        rss, hwm = self.proc.rss_and_hwm_bytes()
        if hwm > self.hwm_bytes:
            self.hwm_bytes = hwm
        self._close_current(now, rss, hwm)
        self._current = (filename, line)
        self._rss_bytes = rss
        self._current_hwm_bytes = 0
        self.events += 1
        self.proc.reset_peak()
        self._since = time.perf_counter()

    def note_hwm(self, hwm):
        """A high-water mark someone else read and is about to reset: it belongs to the
        line running now."""
        if hwm > self._current_hwm_bytes:
            self._current_hwm_bytes = hwm
        if hwm > self.hwm_bytes:
            self.hwm_bytes = hwm

    def _close_current(self, now, rss, hwm):
        current = self._current
        if current is None:
            return
        hwm = max(hwm, self._current_hwm_bytes)
        stats = self.stats.get(current)
        if stats is None:
            stats = self.stats[current] = [0, 0, 0, 0.0]
        delta = rss - self._rss_bytes
        stats[0] += 1
        stats[1] += delta
        # A mark read after memory was freed can come out a little below the start.
        peak = max(hwm - self._rss_bytes, delta, 0)
        if peak > stats[2]:
            stats[2] = peak
        stats[3] += now - self._since

    # ----- start and stop ---------------------------------------------------------

    def start(self):
        self.started_monotonic = time.monotonic()
        if BACKEND == "sys.monitoring":
            self._start_monitoring()
        else:
            if sys.gettrace() is not None:
                raise LineProfileUnavailable("another tracer is active (a debugger?)")
            sys.settrace(self._global_trace)

    def stop(self):
        if BACKEND == "sys.monitoring":
            self._stop_monitoring()
        else:
            sys.settrace(None)
        rss, hwm = self.proc.rss_and_hwm_bytes()
        if hwm > self.hwm_bytes:
            self.hwm_bytes = hwm
        self._close_current(time.perf_counter(), rss, hwm)
        self._current = None
        if self.started_monotonic is not None:
            self.duration_s = time.monotonic() - self.started_monotonic

    def _global_trace(self, frame, event, arg):
        if event == "call" and frame.f_code.co_filename in self.cells:
            return self._local_trace
        return None

    def _local_trace(self, frame, event, arg):
        if event == "line":
            self._line(frame.f_code.co_filename, frame.f_lineno)
        return self._local_trace

    def _start_monitoring(self):
        monitoring = sys.monitoring
        for tool in (monitoring.PROFILER_ID, 3, 4, 5):
            try:
                monitoring.use_tool_id(tool, _TOOL_NAME)
            except ValueError:
                continue  # taken by another tool (cProfile uses PROFILER_ID)
            self._tool = tool
            break
        else:
            raise LineProfileUnavailable("every sys.monitoring tool id is taken")
        disable = monitoring.DISABLE
        cells = self.cells
        on_line = self._line

        def line_event(code, line):
            filename = code.co_filename
            if filename not in cells:
                return disable  # this line is never reported to us again
            on_line(filename, line)
            return None

        monitoring.register_callback(self._tool, monitoring.events.LINE, line_event)
        monitoring.set_events(self._tool, monitoring.events.LINE)

    def _stop_monitoring(self):
        monitoring = sys.monitoring
        if self._tool is None:
            return
        monitoring.set_events(self._tool, 0)
        monitoring.register_callback(self._tool, monitoring.events.LINE, None)
        monitoring.free_tool_id(self._tool)
        monitoring.restart_events()  # what we turned off, for the next profile
        self._tool = None

    # ----- the result -------------------------------------------------------------

    def result(self):
        """Lines grouped by cell, in each cell by line: JSON-ready."""
        by_cell = {}
        items = list(self.stats.items())
        if len(items) > MAX_LINES:
            items.sort(key=lambda item: (item[1][2], abs(item[1][1]), item[1][3]), reverse=True)
            items = items[:MAX_LINES]
        for (filename, line), (hits, delta, peak, duration_s) in items:
            execution_count = self.cells.get(filename)
            by_cell.setdefault(execution_count, []).append(
                {"line": line + self.offsets.get(filename, 0), "hits": hits, "delta": delta, "peak_increment": peak,
                 "duration": duration_s})
        cells = [{"execution_count": count, "lines": sorted(lines, key=lambda e: e["line"])}
                 for count, lines in sorted(by_cell.items(), key=lambda item: (item[0] is None, item[0] or 0))]
        return {
            "backend": self.backend,
            "events": self.events,
            "duration": self.duration_s,
            # What the profiling itself cost, estimated from a calibration run.
            "overhead": None if self.per_event_cost_s is None else self.events * self.per_event_cost_s,
            "lines_left_out": max(len(self.stats) - MAX_LINES, 0),
            "cells": cells,
        }


def per_event_cost_s(proc, n=1000):
    """The profiler's own time per line event, measured here (its reads of /proc and
    the peak reset dominate)."""
    profiler = LineProfiler(proc, {})  # measured before the cell resets the peak
    started = time.perf_counter()
    for i in range(n):
        profiler._line("<calibration>", i)
    return (time.perf_counter() - started) / n
