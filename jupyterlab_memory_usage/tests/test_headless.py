"""Headless runs, as a user starts them: ``jupyter memory-usage execute`` and papermill's
``--engine memory_usage``, in subprocesses, on real kernels (one in a real memory cgroup)."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat
import pexpect
import pytest

from ..report import LIMIT_STEP_BYTES, suggested_limit_bytes
from .helpers import MIB, ONES_1E8_BYTES
from .test_out_of_memory import CGROUP_LIMIT_BYTES, LAUNCHER, make_memory_cgroup, remove_cgroup

SEED = ["import numpy as np", "a = np.ones(10**8)", "b = a * 2", "np.ones(10**8).sum()", "del a, b"]
BIN = Path(sys.executable).parent


def write_notebook(path: Path, sources: list[str], kernel: str = "python3") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# A run")] + [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


def run(args: list[str], cwd: Path, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def figures(path: Path) -> list[dict]:
    """Each code cell's memory_usage metadata, None where it has none."""
    nb = nbformat.read(path, as_version=4)
    return [c.metadata.get("memory_usage") for c in nb.cells if c.cell_type == "code"]


def assert_seed_figures(cells: list[dict], runner: str) -> None:
    def close(value, expected, what):
        assert abs(value - expected) <= 0.02 * abs(expected), f"{what}: {value / MIB:.2f} MiB"

    imported, a, b, temporary, deleted = cells
    assert all(c["status"] == "ok" and c["method"] == "kernel_hook" for c in cells), cells
    assert [c["execution_count"] for c in cells] == [1, 2, 3, 4, 5]
    close(a["delta"], ONES_1E8_BYTES, "a = np.ones(10**8)")
    close(b["delta"], ONES_1E8_BYTES, "b = a * 2")
    assert abs(temporary["delta"]) < 16 * MIB
    close(temporary["peak_increment"], ONES_1E8_BYTES, "the peak of np.ones(10**8).sum()")
    close(deleted["delta"], -2 * ONES_1E8_BYTES, "del a, b")
    assert [s["line"] for s in a["statements"]] == [1]
    assert a["headless"]["runner"] == runner and a["headless"]["run_started"]
    assert a["duration"] > 0 and a["rss_peak"] >= a["rss_end"]


def test_execute_writes_the_figures_and_every_report(tmp_path):
    notebook = write_notebook(tmp_path / "seed.ipynb", SEED)
    reports = [tmp_path / f"run{ext}" for ext in (".md", ".html", ".csv", ".json")]
    result = run([str(BIN / "jupyter"), "memory-usage", "execute", str(notebook), "-o", "out.ipynb",
                  *[arg for r in reports for arg in ("--report", str(r))]], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_seed_figures(figures(tmp_path / "out.ipynb"), "jupyter memory-usage execute")
    assert figures(notebook) == [None] * len(SEED), "the input is left as it was"
    # Not a terminal: no progress bar.
    assert "\r" not in result.stderr and "[#" not in result.stderr

    # The heaviest cells and what the run needs, printed.
    assert "Heaviest cells" in result.stdout
    assert "cell 3 [2]" in result.stdout and "a = np.ones(10**8)" in result.stdout
    report = json.loads(reports[3].read_text())
    peak = report["peak_rss"]
    assert peak > 2 * ONES_1E8_BYTES  # a and b, with np.ones(10**8).sum()'s temporary on top
    assert report["suggested_limit"] == suggested_limit_bytes(peak)
    assert report["suggested_limit"] >= 1.25 * peak and report["suggested_limit"] % LIMIT_STEP_BYTES == 0
    assert report["failure"] is None and [r["cell_index"] for r in report["records"]] == [1, 2, 3, 4, 5]
    assert result.stdout.strip().endswith("rounded up to a multiple of 256 MiB.")

    markdown = reports[0].read_text()
    assert re.search(r"\| cell 3 \[2\] \| ok \| \+76\d\.\d MiB \| \+76\d\.\d MiB \|", markdown), markdown
    assert markdown.strip().splitlines()[-1].startswith("The run's peak resident memory was")
    page = reports[1].read_text()
    assert "<td>cell 3 [2]</td>" in page and "<code>a = np.ones(10**8)</code>" in page
    rows = list(csv.DictReader(reports[2].read_text().splitlines()))
    assert [r["cell"] for r in rows] == ["2", "3", "4", "5", "6", "run"]
    assert abs(int(rows[1]["delta"]) - ONES_1E8_BYTES) <= 0.02 * ONES_1E8_BYTES
    assert int(rows[-1]["rss_peak"]) == peak and int(rows[-1]["suggested_limit"]) == report["suggested_limit"]


def test_a_raising_cell_stops_the_run_and_is_named(tmp_path):
    notebook = write_notebook(tmp_path / "fails.ipynb", ["x = 1", "raise ValueError('boom')", "y = 2"])
    result = run([str(BIN / "jupyter-memory-usage"), "execute", str(notebook), "--report", "r.md"], cwd=tmp_path)
    assert result.returncode == 1
    assert "cell 3 [2]: raised ValueError: boom" in result.stderr, result.stderr
    ran, raised, never = figures(notebook)  # written in place
    assert ran["status"] == "ok" and raised["status"] == "error" and never is None
    assert "**The run stopped:** cell 3 [2]: raised ValueError: boom." in (tmp_path / "r.md").read_text()


def test_a_cell_over_the_timeout_stops_the_run(tmp_path):
    notebook = write_notebook(tmp_path / "slow.ipynb", ["import time", "time.sleep(60)", "y = 2"])
    result = run([str(BIN / "jupyter-memory-usage"), "execute", str(notebook), "--timeout", "2"], cwd=tmp_path)
    assert result.returncode == 1
    assert "cell 3 [2]: ran longer than 2 s (the timeout)" in result.stderr, result.stderr
    assert figures(notebook)[2] is None


def test_bad_input_is_refused_before_anything_runs(tmp_path):
    notebook = write_notebook(tmp_path / "nb.ipynb", ["x = 1"])
    result = run([str(BIN / "jupyter-memory-usage"), "execute", str(notebook), "--report", "r.txt"], cwd=tmp_path)
    assert result.returncode == 2 and "a report is one of .md, .html, .csv, .json" in result.stderr
    result = run([str(BIN / "jupyter-memory-usage"), "execute", "missing.ipynb"], cwd=tmp_path)
    assert result.returncode == 2 and "cannot read missing.ipynb" in result.stderr
    result = run([str(BIN / "jupyter-memory-usage"), "execute", str(notebook), "--kernel", "no-such-kernel"],
                 cwd=tmp_path)
    assert result.returncode == 2 and "could not start" in result.stderr and "no-such-kernel" in result.stderr
    assert figures(notebook) == [None]


def test_a_kernel_killed_by_its_memory_limit(tmp_path):
    try:
        cgroup, _source = make_memory_cgroup(f"jlmu-headless-{uuid.uuid4().hex[:8]}", CGROUP_LIMIT_BYTES)
    except (OSError, RuntimeError) as e:
        pytest.skip(f"cannot create a memory cgroup: {e}")
    try:
        spec_dir = tmp_path / "data" / "kernels" / "limited"
        spec_dir.mkdir(parents=True)
        (spec_dir / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-c", LAUNCHER, str(cgroup / "cgroup.procs"), "-f", "{connection_file}"],
            "display_name": "Python 3 (1 GiB)", "language": "python"}))
        notebook = write_notebook(tmp_path / "big.ipynb", ["import numpy as np", "x = np.ones(2 * 2**27)", "y = 1"],
                                  kernel="limited")
        result = run([str(BIN / "jupyter-memory-usage"), "execute", str(notebook), "--report", "r.json"],
                     cwd=tmp_path, env={"JUPYTER_PATH": str(tmp_path / "data")})
    finally:
        remove_cgroup(cgroup)
    assert result.returncode == 1, result.stderr
    assert "cell 3: the kernel ran out of memory (its limit is 1.00 GiB)" in result.stderr, result.stderr
    imported, died, never = figures(notebook)
    assert imported["status"] == "ok" and never is None
    assert died["status"] == "died" and died["died_reason"] == "out_of_memory", died
    assert died["exit_signal"] == signal.SIGKILL and died["oom_kills"] >= 1, died
    assert json.loads((tmp_path / "r.json").read_text())["failure"].startswith("cell 3: the kernel ran out of memory")


def test_papermill_engine(tmp_path):
    notebook = write_notebook(tmp_path / "seed.ipynb", SEED)
    result = run([str(BIN / "papermill"), "--engine", "memory_usage", str(notebook), "out.ipynb"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_seed_figures(figures(tmp_path / "out.ipynb"), "papermill")


def test_a_progress_bar_on_a_terminal(tmp_path):
    notebook = write_notebook(tmp_path / "bar.ipynb", ["x = 1", "y = 2"])
    child = pexpect.spawn(str(BIN / "jupyter-memory-usage"), ["execute", str(notebook)], cwd=str(tmp_path),
                          encoding="utf-8", timeout=120, dimensions=(40, 200))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "[----------" in child.before and "] 1/2 cell 2: x = 1" in child.before, child.before
    assert "] 2/2 cell 3: y = 2" in child.before, child.before
