"""``jupyter memory-usage execute NOTEBOOK``: run a notebook headless (nbclient) with each
code cell's memory measured exactly, written into the cell's metadata, and reported.

Exit status: 0 when every cell ran, 1 when a cell raised, timed out or the kernel died
(the cell named, and why), 2 when the run could not start (a missing notebook or
kernel, a report format not known).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, TextIO

import nbformat
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from .headless import MemoryUsageClient
from .report import REPORT_FORMATS, cell_label, render, summarize, terminal_text

_BAR_WIDTH = 20


class Progress:
    """A bar on a terminal, one line rewritten per cell; nothing when not a terminal."""

    def __init__(self, code_cells: int, stream: TextIO):
        self.total = code_cells
        self.done = 0
        self.stream = stream
        self.shown = stream.isatty()

    def cell_started(self, cell: Any, cell_index: int, **_: Any) -> None:
        if not self.shown or cell.cell_type != "code" or not cell.source.strip():
            return
        self.done += 1
        filled = round(_BAR_WIDTH * (self.done - 1) / max(self.total, 1))
        first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")[:50]
        self.stream.write(f"\r\033[K[{'#' * filled}{'-' * (_BAR_WIDTH - filled)}] {self.done}/{self.total} "
                          f"cell {cell_index + 1}: {first}")
        self.stream.flush()

    def end(self) -> None:
        if self.shown and self.done:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jupyter memory-usage",
                                     description="The memory each notebook cell costs, measured exactly.")
    commands = parser.add_subparsers(dest="command", required=True)
    execute = commands.add_parser(
        "execute", help="run a notebook headless, each code cell's memory in its metadata",
        description="Run NOTEBOOK with nbclient, the memory hook loaded into its kernel: each code cell's "
                    "figures go into its metadata (memory_usage), the heaviest cells and the run's peak are "
                    "printed, and a report is written if asked for.")
    execute.add_argument("notebook", help="the notebook to run")
    execute.add_argument("-o", "--output", help="where to write the executed notebook (default: NOTEBOOK itself)")
    execute.add_argument("--report", action="append", default=[],
                         help=f"write a report, in the format of its extension: {', '.join(REPORT_FORMATS)} "
                              "(more than one: --report run.md --report run.csv)")
    execute.add_argument("--kernel", help="the kernel to run it with (default: the notebook's kernelspec)")
    execute.add_argument("--timeout", type=int, default=None,
                         help="seconds a cell may run before the run stops (default: no limit)")
    return parser


def execute(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    for report in args.report:
        if os.path.splitext(report)[1].lower() not in REPORT_FORMATS:
            stderr.write(f"jupyter memory-usage: a report is one of {', '.join(REPORT_FORMATS)}: {report}\n")
            return 2
    try:
        nb = nbformat.read(args.notebook, as_version=4)
    except (OSError, ValueError) as e:
        stderr.write(f"jupyter memory-usage: cannot read {args.notebook}: {e}\n")
        return 2
    kernel = args.kernel or (nb.metadata.get("kernelspec") or {}).get("name") or "python3"
    code_cells = sum(1 for c in nb.cells if c.cell_type == "code" and c.source.strip())
    progress = Progress(code_cells, stderr)
    client = MemoryUsageClient(
        nb, kernel_name=kernel, timeout=args.timeout if args.timeout and args.timeout > 0 else None,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.notebook))}},
        on_cell_start=progress.cell_started)
    failure: str | None = None
    try:
        client.execute()
    except (CellExecutionError, DeadKernelError, CellTimeoutError) as error:
        failure = _failure_sentence(client, error)
    except Exception as error:  # noqa: BLE001 - no kernel of that name, a kernel that never started
        progress.end()
        stderr.write(f"jupyter memory-usage: the run could not start: {type(error).__name__}: {error}\n")
        return 2
    finally:
        progress.end()
    nbformat.write(nb, args.output or args.notebook)
    summary = summarize(os.path.basename(args.notebook), kernel, client.memory_usage_records,
                        [c.source for c in nb.cells], failure, client.memory_usage_unavailable)
    if client.memory_usage_unavailable:
        stderr.write(f"jupyter memory-usage: no memory figures: {client.memory_usage_unavailable}\n")
    stdout.write(terminal_text(summary) + "\n")
    for report in args.report:
        with open(report, "w", encoding="utf-8") as f:
            f.write(render(summary, os.path.splitext(report)[1].lower()))
    if failure:
        stderr.write(f"jupyter memory-usage: {failure}\n")
        return 1
    return 0


def _failure_sentence(client: MemoryUsageClient, error: Exception) -> str:
    failed = client.memory_usage_failure
    if failed is not None:
        row = {"cell_index": failed.cell_index, "execution_count": failed.record.get("execution_count")}
        return f"{cell_label(row)}: {failed.why}"
    return f"the run stopped: {type(error).__name__}"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "execute":
        return execute(args, sys.stdout, sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
