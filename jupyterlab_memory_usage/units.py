"""Figures as people read them, as the JupyterLab extension writes them (src/format.ts):
``762.9 MiB`` (binary) or ``800.0 MB`` (decimal), ``+762.9 MiB``, ``0.18 s``.

Standard library only: the terminal's line (``ipython_line``) imports it into kernels.
"""

from __future__ import annotations

import math

BINARY = "binary"
DECIMAL = "decimal"
_UNIT_NAMES = {BINARY: ("B", "KiB", "MiB", "GiB", "TiB", "PiB"), DECIMAL: ("B", "kB", "MB", "GB", "TB", "PB")}
# Decimals for B, K, M, G, T, P: a MiB to a tenth, a GiB to a hundredth.
_UNIT_DECIMALS = (0, 1, 1, 2, 2, 2)
NOT_AVAILABLE = "—"


def _magnitude(size: float, units: str) -> str:
    base = 1000 if units == DECIMAL else 1024
    names = _UNIT_NAMES[DECIMAL if units == DECIMAL else BINARY]
    index, value = 0, float(size)
    while index < len(names) - 1 and value >= base:
        value /= base
        index += 1
    text = f"{value:.{_UNIT_DECIMALS[index]}f}"
    # 1023.96 KiB rounds to "1024.0": say 1.0 MiB instead.
    if index < len(names) - 1 and float(text) >= base:
        index += 1
        text = f"{value / base:.{_UNIT_DECIMALS[index]}f}"
    return f"{text} {names[index]}"


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def format_bytes(size: float | None, units: str = BINARY) -> str:
    if not _finite(size):
        return NOT_AVAILABLE
    text = _magnitude(abs(size), units)
    return f"-{text}" if size < 0 else text


def format_signed_bytes(size: float | None, units: str = BINARY) -> str:
    if not _finite(size):
        return NOT_AVAILABLE
    if size == 0:
        return f"±{_magnitude(0, units)}"
    return ("-" if size < 0 else "+") + _magnitude(abs(size), units)


def format_duration(seconds: float | None) -> str:
    """``45 ms``, ``0.51 s``, ``12.3 s``, ``2 min 5 s``, ``1 h 5 min``: as the badges say it."""
    if not _finite(seconds):
        return NOT_AVAILABLE
    s = max(0.0, float(seconds))
    if s < 0.1:
        ms = round(s * 1000)
        if ms == 0 and s > 0:
            return "<1 ms"
        if ms < 100:  # 0.0996 s rounds to 100 ms: said in seconds below
            return f"{ms} ms"
    if s < 10 and float(f"{s:.2f}") < 10:
        return f"{s:.2f} s"
    if s < 60 and float(f"{s:.1f}") < 60:
        return f"{s:.1f} s"
    total_s = round(s)
    if total_s < 3600:
        return f"{total_s // 60} min {total_s % 60} s"
    total_min = round(s / 60)
    return f"{total_min // 60} h {total_min % 60} min"
