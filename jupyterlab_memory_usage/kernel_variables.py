"""What holds the kernel's memory: its global names, each object counted once.

Run inside the kernel by its hook, only while the kernel is idle, on the server's
silent request.  The rules (docs/measurement.md says why):

- Each object's bytes are counted once, for the first name that reaches it, in this
  order: the NumPy arrays that own their buffer, the arrays that view one, then every
  other name in the namespace's order.  A second name for the same object, or an
  array whose buffer another name counts, says so in ``view_of``.
- Libraries' objects are sized by the libraries' own methods (pandas
  ``memory_usage(deep=True)``, pyarrow ``get_total_buffer_size``, polars
  ``estimated_size``, a tensor's storage), and only for libraries the user already
  imported: nothing is imported here to size anything.
- Built-in containers and instances of classes defined in Python are walked through
  ``gc.get_referents`` (C code, no user ``__iter__``/``__len__``/``__getattr__``);
  a ``__sizeof__`` written in Python outside those libraries is not called (the
  object's C size is used, marked estimated); no ``repr``, no attribute of a user
  object.  Modules, classes and functions are not any variable's memory.
- Within a time budget: what is not sized in time keeps ``size: None`` and the
  result says ``complete: False``.

Standard library only, as the hook: the server may send this source to the kernel.
"""

import gc
import sys
import time
import types

MAX_LISTED = 1000
_CHECK_EVERY = 256  # objects between two looks at the clock
_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class defined in Python
_LIBRARIES = ("numpy", "pandas", "pyarrow", "polars", "torch")
# Seconds pandas' deep count spends per object of an object column, a generous
# measure: a frame whose deep count would overrun the budget is sized shallow.
_PANDAS_DEEP_S_PER_OBJECT = 2e-7

_LEAF, _SKIP, _CONTAINER, _INSTANCE, _OPAQUE, _NDARRAY, _PANDAS, _ARROW, _POLARS, _TORCH = range(10)
_LEAF_TYPES = frozenset((int, float, complex, bool, str, bytes, bytearray, type(None), range, slice,
                         memoryview, type(Ellipsis)))
_SKIP_TYPES = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
               types.CodeType, types.FrameType, types.MethodWrapperType, types.WrapperDescriptorType,
               types.MethodDescriptorType, types.GetSetDescriptorType, types.MemberDescriptorType,
               property, classmethod, staticmethod)


def _deque_type():
    collections = sys.modules.get("collections")
    return (collections.deque,) if collections is not None else ()


# Their C code is what len() and get_referents() call; a subclass's Python methods are not.
_SIZED_BASES = (dict, list, tuple, set, frozenset, str, bytes, bytearray) + _deque_type()
_CONTAINER_BASES = (dict, list, tuple, set, frozenset) + _deque_type()


class OutOfTime(Exception):
    pass


class _Libraries:
    """The classes of the libraries the user imported (None for those not imported)."""

    def __init__(self):
        modules = sys.modules
        numpy, pandas = modules.get("numpy"), modules.get("pandas")
        pyarrow, polars, torch = modules.get("pyarrow"), modules.get("polars"), modules.get("torch")
        self.ndarray = getattr(numpy, "ndarray", None)
        self.mmap = getattr(modules.get("mmap"), "mmap", None)
        self.pandas = _classes(pandas, "DataFrame", "Series", "Index")
        self.pandas_frame, self.pandas_series = (getattr(pandas, name, None) for name in ("DataFrame", "Series"))
        self.arrow = _classes(pyarrow, "Table", "RecordBatch", "ChunkedArray", "Array", "Buffer")
        self.arrow_buffer = getattr(pyarrow, "Buffer", None)
        self.polars = _classes(polars, "DataFrame", "Series")
        self.torch = _classes(torch, "Tensor")


def _classes(module, *names):
    if module is None:
        return ()
    found = tuple(getattr(module, name, None) for name in names)
    return tuple(c for c in found if isinstance(c, type))


def _python_sizeof(t):
    """Whether ``sys.getsizeof`` would run a ``__sizeof__`` written in Python by
    someone other than the libraries we trust."""
    for klass in t.__mro__:
        impl = klass.__dict__.get("__sizeof__")
        if impl is not None:
            module = getattr(klass, "__module__", "") or ""
            return isinstance(impl, types.FunctionType) and module.split(".")[0] not in _LIBRARIES
    return False


class Sizer:
    """Sizes objects within one deadline, remembering what it counted."""

    def __init__(self, deadline_monotonic, exclude=()):
        self.deadline_monotonic = deadline_monotonic
        self.libs = _Libraries()
        self.seen = set(map(id, exclude))  # ids of objects counted (or never to count)
        self.counted_by = {}  # id of a buffer, or a tensor's storage key -> the name counting it
        self._kinds = {}  # type -> (kind, whether its __sizeof__ is Python)
        self._visits = 0
        self.estimated = False  # of the object sized last

    # ----- one object ----------------------------------------------------------------

    def kind(self, t):
        known = self._kinds.get(t)
        if known is None:
            known = self._kinds[t] = (self._classify(t), _python_sizeof(t))
        return known[0]

    def _classify(self, t):
        libs = self.libs
        if t in _LEAF_TYPES:
            return _LEAF
        if issubclass(t, type) or issubclass(t, _SKIP_TYPES):
            return _SKIP
        if libs.ndarray is not None and issubclass(t, libs.ndarray):
            return _NDARRAY
        for kind, classes in ((_PANDAS, libs.pandas), (_ARROW, libs.arrow), (_POLARS, libs.polars),
                              (_TORCH, libs.torch)):
            if classes and issubclass(t, classes):
                return kind
        if issubclass(t, _CONTAINER_BASES):
            return _CONTAINER
        if t.__flags__ & _HEAPTYPE:
            return _INSTANCE
        return _OPAQUE

    def getsizeof(self, o):
        t = type(o)
        self.kind(t)
        if self._kinds[t][1]:
            self.estimated = True
            return object.__sizeof__(o)
        try:
            return sys.getsizeof(o)
        except Exception:  # noqa: BLE001 - a C type that refuses: count its C size
            self.estimated = True
            return object.__sizeof__(o)

    def size(self, obj, name):
        """The bytes ``obj`` holds that no earlier call counted; sets ``estimated``.

        The hot loop of a walk over many small objects: leaves met in a container
        are counted at once rather than pushed."""
        self.estimated = False
        total = 0
        stack = [obj]
        seen, kinds, getsizeof, referents = self.seen, self._kinds, sys.getsizeof, gc.get_referents
        leaves = _LEAF_TYPES
        visits, next_check = self._visits, self._visits + _CHECK_EVERY
        try:
            while stack:
                o = stack.pop()
                i = id(o)
                if i in seen:
                    continue
                seen.add(i)
                visits += 1
                if visits >= next_check:
                    next_check = visits + _CHECK_EVERY
                    if time.monotonic() > self.deadline_monotonic:
                        raise OutOfTime()
                t = type(o)
                kind = kinds[t][0] if t in kinds else self.kind(t)
                if kind == _CONTAINER or kind == _INSTANCE:
                    total += self.getsizeof(o)
                    for r in referents(o):
                        if type(r) in leaves:
                            ri = id(r)
                            if ri not in seen:
                                seen.add(ri)
                                total += getsizeof(r)
                                visits += 1
                                if visits >= next_check:
                                    next_check = visits + _CHECK_EVERY
                                    if time.monotonic() > self.deadline_monotonic:
                                        raise OutOfTime()
                        else:
                            stack.append(r)
                elif kind == _LEAF or kind == _OPAQUE:
                    total += self.getsizeof(o)
                elif kind == _NDARRAY:
                    total += self._array(o, name)
                elif kind != _SKIP:
                    total += self._library_object(o, kind, name)
        finally:
            self._visits = visits
        return total

    # ----- arrays and libraries ----------------------------------------------------

    def array_root(self, a):
        """The object that owns an array's buffer: the array itself, the array at
        the end of its chain of bases, or a non-array object (bytes, mmap, ...)."""
        base_of = self.libs.ndarray.base.__get__
        root, base = a, base_of(a)
        while base is not None:
            root = base
            if not issubclass(type(base), self.libs.ndarray):
                break
            base = base_of(base)
        if type(root) is memoryview and root.obj is not None:  # np.frombuffer's wrapper
            return root.obj
        return root

    def _array(self, a, name):
        ndarray = self.libs.ndarray
        header = self.getsizeof(a)  # an array that owns its buffer counts it here
        root = self.array_root(a)
        if root is a:
            self.counted_by.setdefault(id(a), name)
            if not ndarray.flags.__get__(a).owndata:  # memory from elsewhere (a C pointer)
                self.estimated = True
                return header + ndarray.nbytes.__get__(a)
            return header
        key = id(root)
        if key in self.counted_by or key in self.seen:
            return header
        self.counted_by[key] = name
        self.seen.add(key)
        return header + self._buffer_size(root)

    def _buffer_size(self, root):
        t = type(root)
        if issubclass(t, self.libs.ndarray):
            return self.getsizeof(root)
        if self.libs.mmap is not None and issubclass(t, self.libs.mmap):
            self.estimated = True  # mapped; resident only where it was touched
            return len(root)
        if t in _LEAF_TYPES:
            return self.getsizeof(root)
        try:
            with memoryview(root) as view:
                return view.nbytes
        except TypeError:
            return self.getsizeof(root)

    def _library_object(self, o, kind, name):
        try:
            if kind == _PANDAS:
                return self._pandas(o)
            if kind == _ARROW:
                if o.__class__ is self.libs.arrow_buffer:
                    return int(o.size)
                return int(o.get_total_buffer_size())
            if kind == _POLARS:
                return int(o.estimated_size())
            return self._tensor(o, name)
        except Exception:  # noqa: BLE001 - a library's size method failed: its C size
            self.estimated = True
            return object.__sizeof__(o)

    def _pandas(self, o):
        frame, series = self.libs.pandas_frame, self.libs.pandas_series
        objects = 0
        if isinstance(o, frame):
            objects = sum(1 for dtype in o.dtypes if dtype == object) * len(o.index)
        elif getattr(o, "dtype", None) == object:
            objects = len(o)
        deep = objects * _PANDAS_DEEP_S_PER_OBJECT < self.deadline_monotonic - time.monotonic()
        if not deep:
            self.estimated = True
        if isinstance(o, frame):
            return int(frame.memory_usage(o, index=True, deep=deep).sum())
        if isinstance(o, series):
            return int(series.memory_usage(o, index=True, deep=deep))
        return int(o.memory_usage(deep=deep))  # an Index

    def _tensor(self, t, name):
        storage = t.untyped_storage()
        key = ("torch", str(t.device), storage.data_ptr())
        header = object.__sizeof__(t)
        if key in self.counted_by:
            return header
        self.counted_by[key] = name
        return header + int(storage.nbytes())


def _length(o, kind):
    for base in _SIZED_BASES:
        if issubclass(type(o), base):
            return base.__len__(o)
    if kind in (_PANDAS, _ARROW, _POLARS):
        try:
            return int(len(o))
        except Exception:  # noqa: BLE001
            return None
    return None


def describe(sizer, o):
    """Type, shape, dtype, length and device of an object, from C getters or the
    libraries' own attributes."""
    t = type(o)
    kind = sizer.kind(t)
    facts = {"type": t.__name__, "shape": None, "dtype": None, "length": None, "device": None}
    try:
        if kind == _NDARRAY:
            ndarray = sizer.libs.ndarray
            facts["shape"] = [int(n) for n in ndarray.shape.__get__(o)]
            facts["dtype"] = str(ndarray.dtype.__get__(o))
        elif kind in (_PANDAS, _POLARS, _TORCH) or (kind == _ARROW and hasattr(o, "num_rows")):
            shape = getattr(o, "shape", None)
            if shape is not None:
                facts["shape"] = [int(n) for n in shape]
            dtype = getattr(o, "dtype", None)
            if dtype is not None:
                facts["dtype"] = str(dtype)
            if kind == _TORCH:
                facts["device"] = str(o.device)
        else:
            facts["length"] = _length(o, kind)
    except Exception:  # noqa: BLE001 - facts are a courtesy; the size is what matters
        pass
    return facts


def variable_names(shell):
    """The user's names, as ``%who`` lists them: no ``_`` names, none IPython put
    there itself, no module, class or function."""
    namespace = shell.user_ns
    hidden = getattr(shell, "user_ns_hidden", {})
    missing = object()
    names = []
    for name, value in namespace.items():
        if name.startswith("_") or hidden.get(name, missing) is value:
            continue
        t = type(value)
        if issubclass(t, type) or issubclass(t, _SKIP_TYPES):
            continue
        names.append(name)
    return names


def size_variables(shell, bindings, budget_s, rss_bytes, exclude=()):
    """Every variable's size within ``budget_s``, as a JSON-ready dict."""
    started = time.monotonic()
    namespace = shell.user_ns
    sizer = Sizer(started + budget_s, (namespace, shell) + tuple(exclude))
    names = variable_names(shell)
    entries = {}
    order = _sizing_order(sizer, namespace, names)
    first_name = {}  # id of a top-level object -> its first name
    complete = True
    for name in order:
        obj = namespace[name]
        entry = entries[name] = {"name": name, **describe(sizer, obj), "size": None, "view_of": None,
                                 "estimated": False}
        where = bindings.where(name) if bindings is not None else None
        entry["execution_count"], entry["cell_id"], entry["msg_id"] = where or (None, None, None)
        if not complete:
            continue
        key = id(obj)
        try:
            if key in first_name:
                entry["size"], entry["view_of"] = 0, first_name[key]
                continue
            first_name[key] = name
            counted_elsewhere = sizer.counted_by.get(key)  # a buffer an array counted
            entry["size"] = sizer.size(obj, name)
            if counted_elsewhere is not None:
                entry["view_of"] = counted_elsewhere
            entry["estimated"] = sizer.estimated
            if sizer.kind(type(obj)) in (_NDARRAY, _TORCH):
                entry["view_of"] = _buffer_counted_by(sizer, obj, name)
        except OutOfTime:
            entry["size"] = None
            complete = False
    out = namespace.get("Out")
    if complete and isinstance(out, dict) and out and hidden_is(shell, "Out", out):
        try:
            entries["Out"] = {"name": "Out", "type": "output history", "shape": None, "dtype": None,
                              "length": len(out), "device": None, "size": sizer.size(out, "Out"),
                              "view_of": None, "estimated": sizer.estimated, "execution_count": None,
                              "cell_id": None, "msg_id": None}
        except OutOfTime:
            complete = False
    return _result(list(entries.values()), complete, time.monotonic() - started, budget_s, rss_bytes)


def hidden_is(shell, name, value):
    return getattr(shell, "user_ns_hidden", {}).get(name) is value


def _sizing_order(sizer, namespace, names):
    """Arrays owning their buffer first, then arrays viewing one, then the rest."""
    owners, views, rest = [], [], []
    for name in names:
        obj = namespace[name]
        if sizer.kind(type(obj)) == _NDARRAY:
            (owners if sizer.array_root(obj) is obj else views).append(name)
        else:
            rest.append(name)
    return owners + views + rest


def _buffer_counted_by(sizer, obj, name):
    if sizer.kind(type(obj)) == _TORCH:
        try:
            storage = obj.untyped_storage()
            counted = sizer.counted_by.get(("torch", str(obj.device), storage.data_ptr()))
        except Exception:  # noqa: BLE001
            return None
    else:
        root = sizer.array_root(obj)
        counted = None if root is obj else sizer.counted_by.get(id(root))
    return counted if counted not in (None, name) else None


def _in_ram(entry):
    device = entry["device"]
    return entry["size"] is not None and (device is None or device == "cpu")


def _result(entries, complete, sized_in_s, budget_s, rss_bytes):
    entries.sort(key=lambda e: (e["size"] is None, -(e["size"] or 0), e["name"]))
    listed, omitted = entries[:MAX_LISTED], entries[MAX_LISTED:]
    return {
        "as_of": time.time(),
        "complete": complete,
        "sized_in_s": sized_in_s,
        "budget_s": budget_s,
        "rss": rss_bytes,
        "total_size": sum(e["size"] for e in entries if _in_ram(e)),
        "omitted_count": len(omitted),
        "omitted_size": sum(e["size"] for e in omitted if _in_ram(e)),
        "variables": listed,
    }
