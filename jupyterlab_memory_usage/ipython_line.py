"""The seed's line, in any IPython: ``%load_ext jupyterlab_memory_usage`` (or
``ipython --ext jupyterlab_memory_usage``, or ``c.InteractiveShellApp.extensions`` in
``ipython_config.py``) prints after every command, before the next prompt::

    In [3] used +762.9 MiB RAM in 0.18 s, peaked +762.9 MiB above its start, total 825.4 MiB

The figures are the kernel hook's (``kernel_hook``): resident memory at the command's
start and end, the high-water mark reset at its start, so the peak is exact however
short a temporary lived. In a kernel whose hook our server loaded, nothing is printed:
JupyterLab's badges show the same figures.

``%memory_usage on | off | status | lines`` turns the line on or off, says what is
measured, and lists the last command's heaviest statements. The state lives on the
shell, so ``%reset`` keeps it. Units and the threshold are JupyterLab's settings of
this extension (*Units*, *Smallest change worth a badge*) when the user set them.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from . import kernel_hook
from .units import BINARY, DECIMAL, format_bytes, format_duration, format_signed_bytes

STATE_ATTR = "_jupyterlab_memory_usage_line"
MAGIC = "memory_usage"
USAGE = "%memory_usage on | off | status | lines"
# How many statements `%memory_usage lines` names, the heaviest first.
HEAVIEST_STATEMENTS = 5
_SOURCE_CHARS = 60
_MIB = 2**20


class MemoryLine:
    """Prints each command's figures after it (``post_run_cell``, after the hook's own)."""

    def __init__(self, shell: Any, hook: Any | None, units: str, threshold_bytes: float):
        self.shell = shell
        self.hook = hook  # ours; None where the server's hook was there first
        self.units = units
        self.threshold_bytes = threshold_bytes
        self.enabled = True
        # The last command measured: its execution count, its source, the hook's figures.
        self.last: tuple[int | None, str, tuple] | None = None
        self._source = ""
        self._is_magic = False

    @property
    def watched(self) -> bool:
        """The hook measuring this shell is not ours: our server loaded it (a kernel of
        JupyterLab's), and shows the figures itself."""
        return self.hook is None or getattr(self.shell, kernel_hook.STATE_ATTR, None) is not self.hook

    def pre_run_cell(self, info: Any = None) -> None:
        source = getattr(info, "raw_cell", None)
        self._source = source if isinstance(source, str) else ""
        self._is_magic = self._source.lstrip().startswith(("%" + MAGIC, "%%" + MAGIC))

    def post_run_cell(self, result: Any = None) -> None:
        if self._is_magic or self.watched:
            return  # the magic's own run is no command of the user's
        figures = self.hook.last_cell
        if figures is None:
            return
        count = getattr(result, "execution_count", None)
        self.last = (count, self._source, figures)
        if self.enabled:
            text = command_line(count, figures, self.units, self.threshold_bytes)
            if text is not None:
                print(text, flush=True)

    def magic(self, line: str) -> None:
        from IPython.core.error import UsageError

        word = line.strip()
        if word in ("on", "off"):
            self.enabled = word == "on"
            print(f"memory usage: {word}")
        elif word in ("", "status"):
            print(self.status())
        elif word == "lines":
            print(self.heaviest_statements())
        else:
            raise UsageError(f"usage: {USAGE}")

    def status(self) -> str:
        if self.watched:
            return ("memory usage: this kernel's hook was loaded by the jupyterlab_memory_usage server "
                    "extension; JupyterLab's badges show its figures, so nothing is printed here.")
        threshold = ("every command" if self.threshold_bytes <= 0 else
                     f"commands that moved at least {format_bytes(self.threshold_bytes, self.units)}")
        peaks = ("exact (the high-water mark is reset at each command's start)" if self.hook.proc.can_reset_peak
                 else "not measured (the high-water mark cannot be reset here)")
        return (f"memory usage: {'on' if self.enabled else 'off'}, after {threshold}; peaks {peaks}; "
                f"the process holds {format_bytes(self.hook.proc.rss_bytes(), self.units)} now.")

    def heaviest_statements(self) -> str:
        if self.last is None:
            return "memory usage: no command measured yet."
        count, source, figures = self.last
        lines = statement_lines(figures[6], source, self.units)
        command = f"In [{count}]" if count is not None else "the last command"
        if not lines:
            return f"memory usage: {command} has no statement figures."
        return "\n".join([f"memory usage: {command}'s heaviest statements:"] + lines)

    def register(self) -> None:
        self.shell.events.register("pre_run_cell", self.pre_run_cell)
        self.shell.events.register("post_run_cell", self.post_run_cell)
        self.shell.register_magic_function(self.magic, "line", MAGIC)

    def unregister(self) -> None:
        for name, callback in (("pre_run_cell", self.pre_run_cell), ("post_run_cell", self.post_run_cell)):
            try:
                self.shell.events.unregister(name, callback)
            except ValueError:
                pass


def command_line(count: int | None, figures: tuple, units: str = BINARY, threshold_bytes: float = 0) -> str | None:
    """``In [3] used +762.9 MiB RAM in 0.18 s, peaked +762.9 MiB above its start, total
    825.4 MiB``; the peak part only where it says more than the change; None below the
    threshold (a command that raised is always said)."""
    started, ended, rss_start, rss_end, hwm, success, _statements = figures
    if rss_start is None or rss_end is None:
        return None
    delta = rss_end - rss_start
    peak = max(hwm - rss_start, delta, 0) if hwm is not None else None
    if success and threshold_bytes > 0 and abs(delta) < threshold_bytes and (peak or 0) < threshold_bytes:
        return None
    head = f"In [{count}]" if count is not None else "The command"
    text = f"{head} used {format_signed_bytes(delta, units)} RAM in {format_duration(ended - started)}"
    # A peak of its own: above the start, above the end, and not the change once rounded.
    if peak is not None and peak > max(delta, 0) and format_signed_bytes(peak, units) != format_signed_bytes(delta, units):
        text += f", peaked {format_signed_bytes(peak, units)} above its start"
    return text + f", total {format_bytes(rss_end, units)}"


def statement_lines(statements: Any, source: str, units: str = BINARY) -> list[str]:
    """The heaviest statements of a command (by their peak, else their change), a line each."""
    entries = list(getattr(statements, "entries", None) or [])
    entries.sort(key=lambda e: max(e[3] or 0, abs(e[2] or 0)), reverse=True)
    source_lines = source.splitlines()
    out = []
    for line, end_line, delta, peak, duration_s, _rss_end, count in entries[:HEAVIEST_STATEMENTS]:
        if line is None:
            where, code = f"{count} more statements", ""
        else:
            where = f"line {line}" if end_line in (None, line) else f"lines {line}-{end_line}"
            code = source_lines[line - 1].strip() if 0 < line <= len(source_lines) else ""
            if len(code) > _SOURCE_CHARS:
                code = code[: _SOURCE_CHARS - 1] + "…"
        text = f"  {where}: {format_signed_bytes(delta, units)}"
        if peak is not None and peak > (delta or 0):
            text += f", peaked {format_signed_bytes(peak, units)} above its start"
        text += f", {format_duration(duration_s)}"
        out.append(f"{text}   {code}" if code else text)
    return out


def lab_preferences(settings_dir: str | None = None) -> tuple[str, float]:
    """(units, threshold in bytes) from the user's JupyterLab settings of this extension,
    else the defaults (binary, every command)."""
    folder = os.path.join(settings_dir or _lab_settings_dir(), "jupyterlab-memory-usage")
    manager = _read_settings(os.path.join(folder, "manager.jupyterlab-settings"))
    badges = _read_settings(os.path.join(folder, "badges.jupyterlab-settings"))
    units = manager.get("units")
    threshold_mib = badges.get("minimumDeltaMiB")
    threshold_ok = isinstance(threshold_mib, (int, float)) and not isinstance(threshold_mib, bool)
    return (units if units in (BINARY, DECIMAL) else BINARY,
            max(float(threshold_mib), 0.0) * _MIB if threshold_ok else 0.0)


def _lab_settings_dir() -> str:
    if os.environ.get("JUPYTERLAB_SETTINGS_DIR"):
        return os.environ["JUPYTERLAB_SETTINGS_DIR"]
    try:
        from jupyter_core.paths import jupyter_config_dir
        config_dir = jupyter_config_dir()
    except ImportError:  # an IPython without Jupyter: its usual place
        config_dir = os.environ.get("JUPYTER_CONFIG_DIR") or os.path.expanduser("~/.jupyter")
    return os.path.join(config_dir, "lab", "user-settings")


def _read_settings(path: str) -> dict[str, Any]:
    """A JupyterLab settings file (JSON with comments and trailing commas); {} when
    missing or unreadable."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        text = re.sub(r"^\s*//.*$", "", text, flags=re.M)
        text = re.sub(r",\s*([}\]])", r"\1", text)
        value = json.loads(text)
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def load_ipython_extension(shell: Any) -> MemoryLine | None:
    line = getattr(shell, STATE_ATTR, None)
    if line is not None:
        return line  # loaded already: one line per command
    hook = getattr(shell, kernel_hook.STATE_ATTR, None)
    ours = None
    if hook is None:
        try:
            ours = kernel_hook.load_ipython_extension(shell)
        except OSError as e:  # no /proc: not Linux
            print(f"memory usage: cannot read this process's memory here ({e}); Linux only.")
            return None
        # Its figures stay in this process: the hook publishes on a kernel's iopub only
        # for our server, which is not listening to this one.
        ours.kernel = None
    line = MemoryLine(shell, ours, *lab_preferences())
    line.register()
    setattr(shell, STATE_ATTR, line)
    return line


def unload_ipython_extension(shell: Any) -> None:
    line = getattr(shell, STATE_ATTR, None)
    if line is None:
        return
    line.unregister()
    delattr(shell, STATE_ATTR)
    if line.hook is not None and not line.watched:
        kernel_hook.unload_ipython_extension(shell)
