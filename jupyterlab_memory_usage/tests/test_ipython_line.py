"""The seed's line in IPython: a real terminal IPython in a pseudo-terminal, the magic,
the figures' text, JupyterLab's settings, and silence in a kernel our server watches."""

from __future__ import annotations

import json
import re
import sys

import pexpect
import pytest

from ..ipython_line import command_line, lab_preferences, statement_lines
from ..kernel_statements import StatementLog
from .helpers import MIB, ONES_1E8_BYTES, start_kernel

PROMPT = r"In \[(\d+)\]: "
LINE = re.compile(r"In \[(\d+)\] used ([+\-±][\d.]+) (B|KiB|MiB|GiB) RAM in (\S+ m?s)(?:, peaked \+([\d.]+) (KiB|MiB|GiB) "
                  r"above its start)?, total ([\d.]+) (KiB|MiB|GiB)")
UNIT = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}


class Terminal:
    """IPython at a pseudo-terminal, as a user types into it."""

    def __init__(self, tmp_path, *args: str):
        env = {"JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"), "IPYTHONDIR": str(tmp_path / "ipython"),
               "TERM": "dumb", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        self.child = pexpect.spawn(sys.executable, ["-m", "IPython", "--no-banner", "--colors=NoColor",
                                                    "--simple-prompt", *args],
                                   env=env, encoding="utf-8", timeout=60, dimensions=(40, 200))
        self.child.expect(PROMPT)

    def run(self, code: str) -> str:
        """What the command printed before the next prompt."""
        self.child.sendline(code)
        self.child.expect(PROMPT)
        printed = self.child.before
        # The echo of what was typed comes first.
        return printed.split(code, 1)[-1] if code in printed else printed

    def close(self) -> None:
        self.child.sendline("exit")
        self.child.expect(pexpect.EOF)

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def figure(match: re.Match, number: int, unit: int) -> float:
    return float(match[number].lstrip("+±")) * UNIT[match[unit]] * (-1 if match[number].startswith("-") else 1)


@pytest.fixture
def terminal(tmp_path):
    with Terminal(tmp_path, "--ext", "jupyterlab_memory_usage") as t:
        yield t


def test_terminal_prints_each_commands_line_before_the_next_prompt(terminal):
    terminal.run("import numpy as np")
    printed = terminal.run("x = np.ones(10**8)")
    match = LINE.search(printed)
    assert match, printed
    delta = figure(match, 2, 3)
    assert abs(delta - ONES_1E8_BYTES) <= 0.02 * ONES_1E8_BYTES, printed
    assert match[5] is None, "no peak part when the peak is the change"
    total = figure(match, 7, 8)
    assert total > delta

    # A temporary: nothing kept, the peak said.
    match = LINE.search(terminal.run("np.ones(10**8).sum()"))
    assert match and abs(figure(match, 2, 3)) < 16 * MIB
    assert abs(figure(match, 5, 6) - ONES_1E8_BYTES) <= 0.02 * ONES_1E8_BYTES

    # The magic: off silences the line, status says so, and %reset keeps it.
    assert "memory usage: off" in terminal.run("%memory_usage off")
    assert LINE.search(terminal.run("y = np.ones(10**7)")) is None
    terminal.run("%reset -f")
    assert "memory usage: off," in terminal.run("%memory_usage status")
    assert "memory usage: on" in terminal.run("%memory_usage on")
    terminal.run("import numpy as np")
    match = LINE.search(terminal.run("n = 1"))
    assert match and figure(match, 7, 8) < 200 * MIB, "on again, and x went with %reset"

    # lines: the last command's heaviest statements (the magic's own run is no command).
    printed = terminal.run("c = np.ones(2 * 10**7); d = np.ones(10**6); e = c * 2")
    assert LINE.search(printed)
    lines = terminal.run("%memory_usage lines")
    assert re.search(r"In \[\d+\]'s heaviest statements:\s+line 1: \+152\.6 MiB", lines), lines
    assert lines.count("line 1:") == 3, lines
    assert "usage: %memory_usage on | off | status | lines" in terminal.run("%memory_usage sideways")


def test_loaded_by_hand_after_start_and_once_only(tmp_path):
    with Terminal(tmp_path) as t:
        assert LINE.search(t.run("n = 1")) is None, "not loaded yet"
        t.run("%load_ext jupyterlab_memory_usage")
        t.run("%load_ext jupyterlab_memory_usage")  # again: still one line per command
        printed = t.run("m = bytearray(2**20)")
        assert len(LINE.findall(printed)) == 1, printed


def test_loaded_from_ipython_config(tmp_path):
    profile = tmp_path / "ipython" / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_config.py").write_text('c.InteractiveShellApp.extensions = ["jupyterlab_memory_usage"]\n')
    with Terminal(tmp_path) as t:
        assert LINE.search(t.run("m = bytearray(2**20)"))


def test_units_and_threshold_from_jupyterlab_settings(tmp_path):
    folder = tmp_path / "settings" / "jupyterlab-memory-usage"
    folder.mkdir(parents=True)
    (folder / "manager.jupyterlab-settings").write_text('{\n  // chosen in the Settings Editor\n  "units": "decimal",\n}\n')
    (folder / "badges.jupyterlab-settings").write_text('{"minimumDeltaMiB": 5}')
    assert lab_preferences(str(tmp_path / "settings")) == ("decimal", 5 * MIB)
    assert lab_preferences(str(tmp_path / "nowhere")) == ("binary", 0.0)
    (folder / "badges.jupyterlab-settings").write_text("{not json")
    assert lab_preferences(str(tmp_path / "settings")) == ("decimal", 0.0)

    with Terminal(tmp_path, "--ext", "jupyterlab_memory_usage") as t:
        t.run("import numpy as np")
        assert LINE.search(t.run("small = np.ones(10**5)")) is None, "below 5 MiB: nothing"
        printed = t.run("big = np.ones(10**7)")
        decimal = re.search(r"used \+(\d+\.\d) MB RAM", printed)  # 80,000,000 bytes, in MB
        assert decimal and abs(float(decimal[1]) - 80.0) <= 1.6, printed


def test_the_line_text():
    figures = (100.0, 100.18, 50 * MIB, 50 * MIB + ONES_1E8_BYTES, 50 * MIB + ONES_1E8_BYTES, True, None)
    assert command_line(3, figures) == "In [3] used +762.9 MiB RAM in 0.18 s, total 812.9 MiB"
    temporary = (0.0, 0.5, 50 * MIB, 50 * MIB, 50 * MIB + ONES_1E8_BYTES, True, None)
    assert command_line(4, temporary) == ("In [4] used ±0 B RAM in 0.50 s, peaked +762.9 MiB above its start, "
                                          "total 50.0 MiB")
    assert command_line(4, temporary, "decimal").startswith("In [4] used ±0 B RAM in 0.50 s, peaked +800.0 MB")
    # Without a resettable high-water mark there is no peak to say.
    assert "peaked" not in command_line(5, temporary[:4] + (None, True, None))
    # Below the threshold nothing, unless the command raised.
    assert command_line(6, temporary, threshold_bytes=10**9) is None
    assert command_line(6, temporary[:5] + (False, None), threshold_bytes=10**9) is not None
    # A high-water mark read below the start (memory freed) is no negative peak.
    freed = (0.0, 0.01, 100 * MIB, 90 * MIB, 99 * MIB, True, None)
    assert command_line(7, freed) == "In [7] used -10.0 MiB RAM in 10 ms, total 90.0 MiB"


def test_statement_lines():
    log = StatementLog(2)
    log.entries = [[1, 1, 10 * MIB, 10 * MIB, 0.1, 0, 1], [2, 4, 0, ONES_1E8_BYTES, 2.0, 0, 1], [None, None, 5, 7, 0.01, 0, 40]]
    lines = statement_lines(log, "a = np.ones(10**6)\nfor i in range(2):\n    x = np.ones(10**8).sum()\n    pass\n")
    assert lines == [
        "  lines 2-4: ±0 B, peaked +762.9 MiB above its start, 2.00 s   for i in range(2):",
        "  line 1: +10.0 MiB, 0.10 s   a = np.ones(10**6)",
        "  40 more statements: +5 B, peaked +7 B above its start, 10 ms",
    ]
    assert statement_lines(None, "") == []


async def test_silent_in_a_kernel_the_server_watches(jp_fetch, jp_serverapp):
    """The server loaded the hook: loading the line prints nothing, and the record is there."""
    session = await start_kernel(jp_fetch, jp_serverapp)
    try:
        state = await session.wait_for_hook()
        assert state["hook"] == "active"
        msg_id = session.send("%load_ext jupyterlab_memory_usage")
        assert await session.read_stdout(msg_id) == ""
        msg_id = session.send("x = bytearray(10 * 2**20)\n%memory_usage status")
        printed = await session.read_stdout(msg_id)
        assert "loaded by the jupyterlab_memory_usage server extension" in printed
        assert LINE.search(printed) is None
        msg_id = session.send("y = 1")
        assert await session.read_stdout(msg_id) == ""
        (record,) = await session.wait_records([msg_id])
        assert record["method"] == "kernel_hook"
    finally:
        session.close()


def test_not_json_settings_do_not_stop_the_line(tmp_path):
    folder = tmp_path / "settings" / "jupyterlab-memory-usage"
    folder.mkdir(parents=True)
    (folder / "manager.jupyterlab-settings").write_text(json.dumps({"units": "furlongs"}))
    assert lab_preferences(str(tmp_path / "settings")) == ("binary", 0.0)
