"""Heap mode's allocation sites from crafted traces (no kernel): exact large blocks,
sampled small ones, and sampling that must not pass for growth."""

from ..kernel_heap import SAMPLED_BLOCKS, HeapSites


class FakeTracemalloc:
    """What HeapSites reads of tracemalloc: the raw traces, (domain, size, frames most
    recent first, frame count)."""

    def __init__(self, traces):
        self.traces = traces

    def is_tracing(self):
        return True

    def get_tracemalloc_memory(self):
        return 0

    def _get_traces(self):
        return list(self.traces)


CELL = "/tmp/ipykernel_1/cell3.py"
LIBRARY = "/lib/numpy/numeric.py"


def trace(size, *frames):
    return (0, size, tuple(frames), len(frames))


def test_sites_are_the_nearest_cell_frame_and_sampling_is_not_growth():
    function_object = trace(150, (CELL, 2))  # made when the cell defined it: unchanged
    tm = FakeTracemalloc([function_object, trace(8 * 10**8, (LIBRARY, 232), (CELL, 1))])
    sites = HeapSites(tm, own_files=(), cells={CELL: 3})
    # The next cell keeps 10**5 small strings made on the cell's line 3, and a large
    # buffer: the small blocks are now read from a sample, the function object with them.
    strings = [trace(70, (CELL, 3), ("<listcomp>", 1))] * 10**5
    tm.traces = [function_object, *strings, trace(8 * 10**8, (LIBRARY, 232), (CELL, 1)),
                 trace(8 * 10**7, (LIBRARY, 232), (CELL, 5))]
    top = sites.top_grown({CELL: 1})
    by_line = {(s["file"], s["line"]): s for s in top}
    # Lines as typed: the cell's first line was blank (offset 1).
    assert set(by_line) == {(CELL, 4), (CELL, 6)}, top
    assert by_line[(CELL, 6)]["size"] == 8 * 10**7 and not by_line[(CELL, 6)]["estimated"]
    strings_site = by_line[(CELL, 4)]
    assert strings_site["estimated"] and strings_site["execution_count"] == 3
    assert abs(strings_site["size"] - 70 * 10**5) <= 0.05 * 70 * 10**5, strings_site
    assert len(tm.traces) > 2 * SAMPLED_BLOCKS  # the case sampled


def test_a_site_outside_the_cells_is_its_innermost_frame():
    tm = FakeTracemalloc([])
    sites = HeapSites(tm, own_files=("/our/kernel_heap.py",), cells={})
    tm.traces = [trace(10**6, (LIBRARY, 232), ("/x.py", 9)), trace(10**6, ("/our/kernel_heap.py", 40))]
    assert [(s["file"], s["line"], s["execution_count"]) for s in sites.top_grown({})] == [(LIBRARY, 232, None)]


def test_a_large_block_counts_once_when_nothing_is_sampled():
    tm = FakeTracemalloc([])
    sites = HeapSites(tm, own_files=(), cells={CELL: 1})
    tm.traces = [trace(64 * 2**20, (CELL, 1)), trace(100, (CELL, 1))]  # few blocks: all read
    (site,) = sites.top_grown({})
    assert (site["size"], site["count"], site["estimated"]) == (64 * 2**20 + 100, 2, False), site
