"""A cell's top-level statements as the hook measures them: a bounded log, and the
lines of each statement in the cell as typed.

Sent to the kernel as source with the hook: standard library only.
"""


class StatementLog:
    """The running cell's top-level statements, in execution order: at most
    ``capacity`` entries, the statements beyond it summed into the last one.

    An entry is ``[line, end_line, delta, peak_increment, duration_s, rss_end, count]``
    (bytes, seconds; lines of the cell as typed, None for a summed entry; count > 1
    only in a summed entry)."""

    __slots__ = ("capacity", "entries", "aggregated")

    def __init__(self, capacity):
        self.capacity = max(int(capacity), 1)
        self.entries = []
        self.aggregated = False

    def add(self, lines, delta, peak_increment, duration_s, rss_end):
        entries = self.entries
        if len(entries) < self.capacity:
            entries.append([lines[0], lines[1], delta, peak_increment, duration_s, rss_end, 1])
            return
        last = entries[-1]
        if not self.aggregated:
            self.aggregated = True
            last[0] = last[1] = None
        last[2] += delta
        if peak_increment is None or last[3] is None:
            last[3] = None
        elif peak_increment > last[3]:
            last[3] = peak_increment
        last[4] += duration_s
        last[5] = rss_end
        last[6] += 1

    def to_json(self):
        out = []
        for line, end_line, delta, peak, duration_s, rss_end, count in self.entries:
            entry = {"line": line, "end_line": end_line, "delta": delta, "peak_increment": peak,
                     "duration": duration_s, "rss_end": rss_end}
            if count > 1:
                entry["aggregated"] = count
            out.append(entry)
        return out


def code_lines(code, line_offset=0):
    """The first and last line of a statement's code object, its nested code (function
    and class bodies) included; (None, None) when it has none."""
    first = last = None
    stack = [code]
    while stack:
        c = stack.pop()
        for _, _, line in c.co_lines():
            if line:
                if first is None or line < first:
                    first = line
                if last is None or line > last:
                    last = line
        stack.extend(k for k in c.co_consts if isinstance(k, type(code)))
    if first is None:
        return None, None
    return first + line_offset, last + line_offset


def leading_blank_lines(raw_cell):
    """The lines IPython drops from a cell's start before it compiles it (its
    ``leading_empty_lines`` transform): the statements' lines count from after them."""
    count = start = 0
    while True:
        end = raw_cell.find("\n", start)
        line = raw_cell[start:] if end < 0 else raw_cell[start:end + 1]
        if line and not line.isspace():
            return count
        if end < 0:
            return 0  # a blank cell is kept as it is
        count += 1
        start = end + 1
