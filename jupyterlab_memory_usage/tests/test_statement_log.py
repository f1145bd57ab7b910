"""The hook's statement bookkeeping and the ring's statements, without kernels."""

import ast
from dataclasses import fields

from ..figures import HookReport, Statement, Statements, statements_from_json
from ..kernel_statements import StatementLog, code_lines, leading_blank_lines
from ..kernel_ring import RingWriter
from ..ring import Ring
from ..store import ExecutionRecord


def test_the_log_keeps_its_capacity_and_sums_the_rest_into_the_last_entry():
    log = StatementLog(3)
    for i in range(1, 8):
        log.add((i, i), delta=10 * i, peak_increment=100 * i if i != 5 else 1000, duration_s=0.5, rss_end=i)
    entries = log.to_json()
    assert [(e["line"], e["delta"]) for e in entries[:2]] == [(1, 10), (2, 20)]
    assert entries[2] == {"line": None, "end_line": None, "delta": 30 + 40 + 50 + 60 + 70,
                          "peak_increment": 1000, "duration": 2.5, "rss_end": 7, "aggregated": 5}


def test_a_summed_peak_is_unknown_if_any_of_its_peaks_is():
    log = StatementLog(1)
    log.add((1, 1), 1, 5, 0.1, 1)
    log.add((2, 2), 1, None, 0.1, 2)
    log.add((3, 3), 1, 9, 0.1, 3)
    assert log.to_json()[0]["peak_increment"] is None


def test_lines_of_a_statement_include_its_nested_code():
    source = "x = 1\nfor i in range(2):\n    y = i\ndef f():\n    a = 1\n    return a\nclass C:\n    def m(self):\n        pass\n"
    tree = ast.parse(source)
    spans = [code_lines(compile(ast.Module([node], []), "<cell>", "exec")) for node in tree.body]
    assert spans == [(1, 1), (2, 3), (4, 6), (7, 9)]
    assert code_lines(compile("x = 1", "<cell>", "exec"), 2) == (3, 3)


def test_leading_blank_lines_as_ipython_drops_them():
    assert leading_blank_lines("x = 1") == 0
    assert leading_blank_lines("\n\n  \nx = 1\n\n") == 3
    assert leading_blank_lines("\t\n# comment\nx") == 1
    assert leading_blank_lines("\n \n") == 0  # a blank cell is compiled as it is
    assert leading_blank_lines("") == 0


def test_the_ring_carries_the_statements(tmp_path):
    ring = Ring(pid=1, statement_capacity=2)
    try:
        writer = RingWriter(ring.path)
        assert writer.statement_capacity == 2
        log = StatementLog(2)
        log.add((1, 3), -5, None, 0.25, 100)
        writer.write(b"one", 1.0, 2.0, 10, 20, 30, True, None, log)
        for i in range(3):
            log.add((i, i), 7, 8, 0.5, 200 + i)
        writer.write(b"two", 3.0, 4.0, 10, 20, -1, False, None, log)
        writer.write(b"three", 5.0, 6.0, 10, 20, 30, True)
        one, two, three = ring.lookup("one"), ring.lookup("two"), ring.lookup("three")
        writer.close()
    finally:
        ring.close()
    assert tuple(one.statements) == (Statement(1, 3, -5, None, 0.25, 100),)
    assert tuple(two.statements) == (Statement(1, 3, -5, None, 0.25, 100),
                                     Statement(None, None, 21, 8, 1.5, 202, aggregated=3))
    assert len(two.statements) == 2 and len(two.statements.packed) == 80
    assert two.rss_hwm_bytes is None and not two.success
    assert three.statements is None


def test_a_comm_report_with_a_malformed_statement_has_none():
    good = {"line": 2, "end_line": 4, "delta": -1, "peak_increment": 0, "duration": 0.1, "rss_end": 5}
    assert tuple(statements_from_json([good])) == (Statement(2, 4, -1, 0, 0.1, 5),)
    assert statements_from_json([good, {**good, "delta": "x"}]) is None
    assert statements_from_json([good, "x"]) is None
    assert statements_from_json({"line": 1}) is None
    report = HookReport.from_comm({"event": "cell", "rss_start": 1, "rss_end": 2, "statements": [good]})
    assert tuple(report.statements) == (Statement(2, 4, -1, 0, 0.1, 5),)
    summed = [good, {**good, "line": None, "end_line": None, "aggregated": 7}]
    assert statements_from_json(summed).to_json() == summed


def test_a_record_answers_every_field():
    record = ExecutionRecord("m", statements=Statements.of([Statement(1, 1, 5, 6, 0.1, 7),
                                                            Statement(None, None, 1, 2, 0.2, 8, aggregated=4)]))
    data = record.to_json()
    assert set(data) == {f.name for f in fields(ExecutionRecord)} | {"delta", "peak_increment"}
    assert data["statements"] == [
        {"line": 1, "end_line": 1, "delta": 5, "peak_increment": 6, "duration": 0.1, "rss_end": 7},
        {"line": None, "end_line": None, "delta": 1, "peak_increment": 2, "duration": 0.2, "rss_end": 8,
         "aggregated": 4},
    ]
    assert ExecutionRecord("n").to_json()["statements"] is None
