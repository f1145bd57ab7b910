"""The pure figure functions, without kernels."""

from __future__ import annotations

from ..deaths import Death, end_as_died
from ..figures import Figures, HookReport, died_reason, exit_status, hook_figures
from ..store import ExecutionRecord
from ..tracker import OpenExecution


def test_a_records_delta_and_peak_increment_are_derived_from_its_figures():
    record = ExecutionRecord(msg_id="m")
    record.set_figures(Figures.of(100, 300, 1000))
    data = record.to_json()
    assert (data["delta"], data["peak_increment"], data["rss_peak"]) == (200, 900, 1000)
    record.set_figures(Figures.of(100, 50, None))  # no peak known: the larger end counts
    data = record.to_json()
    assert (data["delta"], data["peak_increment"], data["rss_peak"]) == (-50, 0, 100)
    record.set_figures(Figures(None, None, None))
    assert (record.to_json()["delta"], record.to_json()["peak_increment"]) == (None, None)
    keys = list(record.to_json())
    assert keys[keys.index("rss_peak") + 1:keys.index("rss_peak") + 3] == ["delta", "peak_increment"]


def test_a_peak_read_below_the_start_is_raised_to_it():
    # The high-water mark read after memory was freed can come out below the start.
    assert Figures.of(1000, 400, 990) == Figures(1000, 400, 1000)
    assert Figures.of(None, None) == Figures(None, None, None)


def test_children_are_added_to_every_figure():
    figures = Figures.of(100, 200, 500).plus_children(10, 30, 50)
    assert figures == Figures(110, 230, 550)
    assert Figures(None, 200, 500).plus_children(10, 30, 50) == Figures(None, 200, 500)


def test_the_comm_report_and_its_fields():
    data = {"event": "cell", "started": 1.5, "ended": 2, "rss_start": 100, "rss_end": 300, "rss_hwm": 900,
            "success": False, "heap_delta": 7, "heap_peak_increment": True}
    report = HookReport.from_comm(data)
    assert report == HookReport(1.5, 2.0, 100, 300, 900, False, 7, None)
    assert report.method == "kernel_hook"
    assert HookReport.from_comm({**data, "rss_hwm": None}).method == "kernel_hook_sampled"
    assert HookReport.from_comm({**data, "event": "other"}) is None
    assert HookReport.from_comm({"event": "cell", "rss_start": "1"}).rss_start_bytes is None


def test_hook_figures_take_the_samples_only_to_raise_the_peak():
    report = HookReport(1.0, 2.0, 100, 300, None, True)
    assert hook_figures(report, 700) == Figures(100, 300, 700)
    assert hook_figures(HookReport(1.0, 2.0, 100, 300, 900, True), 700) == Figures(100, 300, 900)


def test_died_reason_near_the_limit():
    """SIGKILL is called out of memory when the cgroup counted a kill, or without a count
    when the last figures were within oom_fraction of the limit."""

    def reason(exit_signal=None, exit_code=None, oom_kills=None, rss_peak=None, limit=1000):
        return died_reason(exit_signal, exit_code, oom_kills, rss_peak, limit, 0.8)

    assert reason(exit_signal=9, rss_peak=800) == "out_of_memory"
    assert reason(exit_signal=9, rss_peak=799) == "killed"
    assert reason(exit_signal=9, rss_peak=799, oom_kills=0) == "killed"
    assert reason(exit_signal=9, rss_peak=10, oom_kills=1) == "out_of_memory"
    assert reason(exit_signal=15, rss_peak=1000, oom_kills=1) == "signal"
    assert reason(exit_code=0, rss_peak=1000) == "exited"
    assert reason(exit_code=1) == "exited"
    assert reason() is None  # no exit status could be read
    assert reason(exit_signal=9, rss_peak=10**12, limit=None) == "killed"
    assert exit_status(-9) == (None, 9) and exit_status(3) == (3, None) and exit_status(None) == (None, None)


def test_a_death_ends_the_record_with_the_last_reading():
    record = ExecutionRecord(msg_id="m", started=10.0)
    record.set_figures(Figures.of(100, 400, 450))
    open_execution = OpenExecution("m", 10.0, record=record, kernel_rss_start_bytes=100,
                                   rss_peak_seen_bytes=900, oom_kill_count_start=2)
    death = Death.process_exit(12.5, -9, oom_kill_count_before=2, oom_kill_count_now=3, rss_now_bytes=950,
                               limit_bytes=10**6)
    end_as_died(record, open_execution, death, 0.9)
    assert (record.status, record.duration, record.exit_signal, record.exit_code) == ("died", 2.5, 9, None)
    assert (record.rss_start, record.rss_end, record.rss_peak, record.oom_kills) == (100, 950, 950, 1)
    assert record.died_reason == "out_of_memory"


def test_a_server_stop_keeps_the_last_figures():
    record = ExecutionRecord(msg_id="m", started=10.0)
    record.set_figures(Figures.of(100, 400, 450))
    end_as_died(record, OpenExecution("m", 10.0, record=record), Death.server_stop(11.0), 0.9)
    assert (record.status, record.died_reason, record.duration) == ("died", "server_stopped", 1.0)
    assert (record.rss_start, record.rss_end, record.rss_peak) == (100, 400, 450)
