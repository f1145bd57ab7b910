"""The ring file's layout, and the kernel's side of it: one slot per finished cell.

Sent to the kernel with the hook (see ``kernel_hook``), so standard library only; the
server's side, which creates and reads the file, is ``ring``.
"""

import mmap
import os
import struct

# The ring file: a header (magic, layout version, slot count, newest sequence number,
# statements per slot, slot size), then RING_SLOTS slots.  A slot holds one cell's
# figures and its statements; the slot's sequence number is written last (after
# zeroing it), so a reader trusts only a slot whose sequence number is non-zero and
# the same before and after it reads it.  Sequence n (from 1) lives in slot
# n % RING_SLOTS.
RING_MAGIC = b"JLMURING"
RING_VERSION = 3
RING_SLOTS = 64
RING_HEADER = struct.Struct("<8sIIQII")
RING_HEADER_SIZE = 64
NEWEST_SEQ_OFFSET = 16
MSG_ID_BYTES = 63
# msg_id, started, ended, rss_start, rss_end, rss_hwm (-1: none), heap_delta,
# heap_peak_increment, flags (FLAG_*); 120 bytes, the sequence number after them.
SLOT_BODY = struct.Struct("<63sddqqqqqB")
FLAG_SUCCESS = 1
FLAG_HEAP = 2  # the heap figures are valid (heap mode was on for the whole cell)
FLAG_STATEMENTS = 4  # the statements below are valid
SLOT_SEQ = struct.Struct("<Q")
SLOT_SEQ_OFFSET = 120
# Then the statements: how many entries, the count of the last entry when it sums the
# statements beyond the capacity (0: it does not), and the entries: line, end_line
# (-1: none), delta, peak_increment (-1: none), duration, rss_end.
STATEMENTS_OFFSET = 128
STATEMENTS_HEAD = struct.Struct("<II")
STATEMENT = struct.Struct("<iiqqdq")
DEFAULT_MAX_STATEMENTS = 100


def slot_size(statement_capacity):
    size = STATEMENTS_OFFSET + STATEMENTS_HEAD.size + statement_capacity * STATEMENT.size
    return -(-size // 64) * 64


def ring_size(statement_capacity):
    return RING_HEADER_SIZE + RING_SLOTS * slot_size(statement_capacity)


def slot_offset(seq, size):
    return RING_HEADER_SIZE + (seq % RING_SLOTS) * size


class RingWriter:
    """The kernel's side of the ring file: one slot per finished cell."""

    def __init__(self, path):
        fd = os.open(path, os.O_RDWR)
        try:
            header = os.pread(fd, RING_HEADER.size, 0)
            if len(header) < RING_HEADER.size:
                raise ValueError("ring file too small")
            magic, version, slots, newest, capacity, size = RING_HEADER.unpack(header)
            if (magic != RING_MAGIC or version != RING_VERSION or slots != RING_SLOTS
                    or size != slot_size(capacity)):
                raise ValueError("not a ring file of this layout")
            if os.fstat(fd).st_size < ring_size(capacity):
                raise ValueError("ring file too small")
            self._mm = mmap.mmap(fd, ring_size(capacity), access=mmap.ACCESS_WRITE)
        finally:
            os.close(fd)
        self.statement_capacity = capacity
        self._slot_size = size
        self._seq = newest

    def write(self, msg_id, started, ended, rss_start, rss_end, rss_hwm, success, heap=None, statements=None):
        mm = self._mm
        seq = self._seq + 1
        offset = slot_offset(seq, self._slot_size)
        seq_offset = offset + SLOT_SEQ_OFFSET
        SLOT_SEQ.pack_into(mm, seq_offset, 0)
        flags = FLAG_SUCCESS if success else 0
        heap_delta = heap_peak_increment = 0
        if heap is not None:
            flags |= FLAG_HEAP
            heap_delta, heap_peak_increment = heap
        if statements is not None:
            flags |= FLAG_STATEMENTS
            self._write_statements(offset + STATEMENTS_OFFSET, statements)
        SLOT_BODY.pack_into(mm, offset, msg_id, started, ended, rss_start, rss_end, rss_hwm,
                            heap_delta, heap_peak_increment, flags)
        SLOT_SEQ.pack_into(mm, seq_offset, seq)
        SLOT_SEQ.pack_into(mm, NEWEST_SEQ_OFFSET, seq)
        self._seq = seq

    def _write_statements(self, offset, log):
        mm = self._mm
        entries = log.entries[:self.statement_capacity]
        STATEMENTS_HEAD.pack_into(mm, offset, len(entries), entries[-1][6] if log.aggregated else 0)
        offset += STATEMENTS_HEAD.size
        for line, end_line, delta, peak, duration_s, rss_end, _ in entries:
            STATEMENT.pack_into(mm, offset, -1 if line is None else line, -1 if end_line is None else end_line,
                                delta, -1 if peak is None else peak, duration_s, rss_end)
            offset += STATEMENT.size

    def close(self):
        try:
            self._mm.close()
        except (BufferError, ValueError):
            pass
