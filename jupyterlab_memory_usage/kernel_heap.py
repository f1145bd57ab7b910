"""Heap mode's allocation sites: where the memory a cell retained was allocated.

At the end of each cell in heap mode the hook groups tracemalloc's traces by their
allocation site and compares them with the sites at the previous cell's end (or when
heap mode was turned on): the sites that grew most are the cell's ``heap_top``.  A
trace's site is the line of a notebook cell nearest to the allocation among the frames
tracemalloc keeps, else its innermost frame.  Heap mode keeps one frame by default
(``MemoryUsage.heap_mode_frames``): a list built in a function an earlier cell defined
is that function's line, but ``np.ones(10**8)`` is NumPy's own line, where the buffer
is allocated; with more frames it is the cell's line, and every allocation costs about
three times as much to trace.
Only what is still allocated at the cell's end can be told: tracemalloc keeps no record
of blocks already freed, so a temporary's site is not among them.

Reading the traces costs time in proportion to the traced blocks (about 0.4 s per
million), and grouping them in Python while tracemalloc traces each of our own
allocations costs more: blocks of at least ``LARGE_BYTES`` are all counted, the smaller
ones from an even sample of at most ``SAMPLED_BLOCKS`` (their sizes scaled up, the site
marked ``estimated``).  Above ``MAX_TRACEMALLOC_BYTES`` of tracemalloc's own
bookkeeping (about 2 million blocks) the sites are not read at all (``heap_top`` null).

Sent to the kernel as source with the hook: standard library only.
"""

TOP_SITES = 10
MAX_TRACEMALLOC_BYTES = 128 * 2**20
LARGE_BYTES = 64 * 1024
SAMPLED_BLOCKS = 20000


class HeapSites:
    def __init__(self, tracemalloc, own_files, cells):
        """``cells``: filename -> execution count of the code compiled from cells
        (IPython's own map, read live)."""
        self._tracemalloc = tracemalloc
        self._cells = cells if cells is not None else {}
        # Our own bookkeeping is traced too: left out of the sites.
        self._own = frozenset(own_files)
        self._step = 1  # one small block in this many was read, the last time
        self._sites = self._read()

    def _read(self):
        """(filename, line) -> [bytes, blocks, estimated] now; None when too costly to
        read (or this Python's tracemalloc has no raw traces)."""
        tm = self._tracemalloc
        get_traces = getattr(tm, "_get_traces", None)
        if get_traces is None or not tm.is_tracing() or tm.get_tracemalloc_memory() > MAX_TRACEMALLOC_BYTES:
            return None
        # (domain, size, frames most recent first, total frames); the same traceback is
        # the same tuple, so grouping by it is cheap.
        traces = get_traces()
        large = [trace for trace in traces if trace[1] >= LARGE_BYTES]
        step = max(1, -(-(len(traces) - len(large)) // SAMPLED_BLOCKS))
        by_traceback = {}
        for weight, chosen in ((1, large), (step, traces[::step])):
            for trace in chosen:
                size = trace[1]
                if chosen is not large and size >= LARGE_BYTES:
                    continue  # counted exactly above
                entry = by_traceback.get(trace[2])
                if entry is None:
                    by_traceback[trace[2]] = [size * weight, weight, weight > 1]
                else:
                    entry[0] += size * weight
                    entry[1] += weight
                    entry[2] = entry[2] or weight > 1
        self._step = step
        return self._by_site(by_traceback)

    def _by_site(self, by_traceback):
        cells, own = self._cells, self._own
        sites = {}
        for frames, (size, count, estimated) in by_traceback.items():
            if not frames or frames[0][0] in own:
                continue
            site = frames[0]
            for frame in frames:
                if frame[0] in cells:
                    site = frame
                    break
            entry = sites.get(site)
            if entry is None:
                sites[site] = [size, count, estimated]
            else:
                entry[0] += size
                entry[1] += count
                entry[2] = entry[2] or estimated
        return sites

    def top_grown(self, offsets):
        """The sites that grew most since the last call, largest first, as
        ``{"file", "line", "size", "count", "estimated", "execution_count"}`` (the execution count of
        the cell whose code it is, its line as typed); None when either end could not be
        read."""
        previous, previous_step = self._sites, self._step
        now = self._read()
        self._sites = now
        step = max(previous_step, self._step)
        if previous is None or now is None:
            return None
        grown = []
        for site, (size, count, estimated) in now.items():
            before_size, before_count, before_estimated = previous.get(site, (0, 0, False))
            # A site read from a sample stands for `step` blocks per block read: one that
            # grew by fewer blocks than that may have only been sampled differently.
            sampled = estimated or before_estimated
            if size > before_size and (not sampled or count - before_count >= step):
                grown.append((size - before_size, max(count - before_count, 0), sampled, site))
        grown.sort(key=lambda entry: entry[0], reverse=True)
        top = []
        for size, count, estimated, (filename, line) in grown[:TOP_SITES]:
            execution_count = self._cells.get(filename)
            top.append({"file": filename, "line": line + (offsets.get(filename, 0) if execution_count else 0),
                        "size": size, "count": count, "estimated": estimated, "execution_count": execution_count})
        return top
