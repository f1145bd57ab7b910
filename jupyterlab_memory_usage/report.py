"""A headless run's report: every measured cell, the heaviest ones, and the memory the
run needs (its peak, and a limit to give a container or a JupyterHub profile), as
Markdown, HTML, CSV or JSON, chosen by the file's extension."""

from __future__ import annotations

import csv
import html
import io
import json
import math
from typing import Any, NamedTuple

from .units import format_bytes, format_duration, format_signed_bytes

# The suggested limit: the run's peak plus this margin, rounded up to a multiple of
# LIMIT_STEP_BYTES (allocations vary from run to run; a container killed at its limit
# loses the whole run).
LIMIT_MARGIN = 0.25
LIMIT_STEP_BYTES = 256 * 2**20
HEAVIEST = 5
REPORT_FORMATS = (".md", ".html", ".csv", ".json")
_CSV_FIELDS = ("cell", "execution_count", "cell_id", "source", "status", "delta", "peak_increment", "duration",
               "rss_start", "rss_end", "rss_peak", "died_reason")


class RunSummary(NamedTuple):
    notebook: str
    kernel: str
    records: list[dict[str, Any]]  # with "cell_index" and "source" (its first line)
    failure: str | None  # what stopped the run, in words
    unavailable: str | None  # why there are no figures at all
    peak_rss: int | None
    suggested_limit: int | None


def suggested_limit_bytes(peak_bytes: int | None) -> int | None:
    if peak_bytes is None or peak_bytes <= 0:
        return None
    return math.ceil(peak_bytes * (1 + LIMIT_MARGIN) / LIMIT_STEP_BYTES) * LIMIT_STEP_BYTES


def summarize(notebook: str, kernel: str, records: list[dict[str, Any]], sources: list[str],
              failure: str | None, unavailable: str | None) -> RunSummary:
    rows = [{**r, "source": _first_line(sources[r["cell_index"]])} for r in records]
    peaks = [r["rss_peak"] for r in rows if isinstance(r.get("rss_peak"), int)]
    peak = max(peaks) if peaks else None
    return RunSummary(notebook, kernel, rows, failure, unavailable, peak, suggested_limit_bytes(peak))


def heaviest(summary: RunSummary) -> list[dict[str, Any]]:
    measured = [r for r in summary.records if isinstance(r.get("peak_increment"), int)]
    return sorted(measured, key=lambda r: r["peak_increment"], reverse=True)[:HEAVIEST]


def needs_sentence(summary: RunSummary) -> str:
    """The report's last words: what the run needs."""
    if summary.peak_rss is None:
        return "The run's peak memory is unknown: " + (summary.unavailable or "no cell was measured") + "."
    return (f"The run's peak resident memory was {format_bytes(summary.peak_rss)} (the kernel's own, child "
            f"processes apart). Suggested memory limit: {format_bytes(summary.suggested_limit)}, the peak plus "
            f"{LIMIT_MARGIN:.0%} rounded up to a multiple of {LIMIT_STEP_BYTES // 2**20} MiB.")


def cell_label(row: dict[str, Any]) -> str:
    count = row.get("execution_count")
    return f"cell {row['cell_index'] + 1}" + (f" [{count}]" if count is not None else "")


def terminal_text(summary: RunSummary) -> str:
    """What ``jupyter memory-usage execute`` prints when the run ends."""
    lines = []
    top = heaviest(summary)
    if top:
        lines.append("Heaviest cells (peak above their start, change, time):")
        for row in top:
            lines.append(f"  {cell_label(row):<14} {format_signed_bytes(row['peak_increment']):>12} "
                         f"{format_signed_bytes(row.get('delta')):>12} {format_duration(row.get('duration')):>9}  "
                         f"{row['source']}")
    lines.append(needs_sentence(summary))
    return "\n".join(lines)


def render(summary: RunSummary, extension: str) -> str:
    if extension == ".json":
        return json.dumps(summary._asdict() | {"limit_margin": LIMIT_MARGIN, "limit_step": LIMIT_STEP_BYTES},
                          indent=2) + "\n"
    if extension == ".csv":
        return _csv(summary)
    if extension == ".md":
        return _markdown(summary)
    if extension == ".html":
        return _html(summary)
    raise ValueError(f"a report is one of {', '.join(REPORT_FORMATS)}, not {extension or 'a file without extension'}")


def _table_rows(summary: RunSummary) -> list[list[str]]:
    return [[cell_label(r), r.get("status") or "", format_signed_bytes(r.get("delta")),
             format_signed_bytes(r.get("peak_increment")), format_duration(r.get("duration")),
             format_bytes(r.get("rss_end")), r["source"]] for r in summary.records]


_HEADS = ["cell", "status", "change", "peak above start", "time", "total after", "source"]


def _markdown(summary: RunSummary) -> str:
    out = [f"# Memory of `{summary.notebook}`", "", f"Kernel: {summary.kernel}.", ""]
    if summary.failure:
        out += [f"**The run stopped:** {summary.failure}.", ""]
    out += ["| " + " | ".join(_HEADS) + " |", "|" + "---|" * len(_HEADS)]
    for row in _table_rows(summary):
        *figures, source = row
        out.append("| " + " | ".join(figures + [f"`{source}`" if source else ""]).replace("\n", " ") + " |")
    out += ["", needs_sentence(summary), ""]
    return "\n".join(out)


def _html(summary: RunSummary) -> str:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html><head><meta charset="utf-8">',
           f"<title>Memory of {e(summary.notebook)}</title></head><body>",
           f"<h1>Memory of <code>{e(summary.notebook)}</code></h1>", f"<p>Kernel: {e(summary.kernel)}.</p>"]
    if summary.failure:
        out.append(f"<p><strong>The run stopped:</strong> {e(summary.failure)}.</p>")
    out.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in _HEADS) + "</tr></thead><tbody>")
    for row in _table_rows(summary):
        *figures, source = row
        out.append("<tr>" + "".join(f"<td>{e(v)}</td>" for v in figures) + f"<td><code>{e(source)}</code></td></tr>")
    out += ["</tbody></table>", f"<p>{e(needs_sentence(summary))}</p>", "</body></html>", ""]
    return "\n".join(out)


def _csv(summary: RunSummary) -> str:
    """One row per cell (bytes and seconds), then one row for the run: its peak and the
    suggested limit."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_CSV_FIELDS + ("suggested_limit",))
    for r in summary.records:
        writer.writerow([r["cell_index"] + 1] + [_csv_value(r.get(name)) for name in _CSV_FIELDS[1:]] + [""])
    writer.writerow(["run"] + [""] * (_CSV_FIELDS.index("rss_peak") - 1) + [_csv_value(summary.peak_rss), "",
                                                                           _csv_value(summary.suggested_limit)])
    return buffer.getvalue()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    # A spreadsheet reads a text that starts so as a formula (cells starting with @njit).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _first_line(source: str, limit: int = 80) -> str:
    line = next((part.strip() for part in source.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"
