"""Which cell last bound each global name of the kernel, for the Variables list.

Noted by the hook at every cell's end; standard library only, as the hook (the server
may send this source to the kernel).
"""

from itertools import compress
from operator import ne


class NameBindings:
    """Which cell last bound each global name, noted at each cell's end: the names
    whose object is another than after the previous cell.  Object ids are compared,
    no reference is kept, so nothing is held alive by this.

    Its cost grows with the namespace (IPython adds ``_i<N>`` names at every cell),
    so the usual case runs in C: the names are the last cell's, with new ones
    appended; a deletion falls back to comparing name by name."""

    def __init__(self, namespace):
        self._names = list(namespace)
        self._ids = list(map(id, namespace.values()))
        self._where = {}  # name -> (execution_count, cell_id, msg_id)

    def note(self, namespace, execution_count, cell_id, msg_id):
        names = list(namespace)
        ids = list(map(id, namespace.values()))
        old_names, old_ids = self._names, self._ids
        known = len(old_names)
        if len(names) >= known and names[:known] == old_names:
            changed = list(compress(names, map(ne, ids, old_ids)))
            changed.extend(names[known:])
        else:
            old = dict(zip(old_names, old_ids))
            changed = [name for name, i in zip(names, ids) if old.get(name) != i]
            self._where = {name: w for name, w in self._where.items() if name in namespace}
        if changed:
            where = (execution_count, cell_id, msg_id)
            for name in changed:
                self._where[name] = where
        self._names, self._ids = names, ids

    def where(self, name):
        return self._where.get(name)
