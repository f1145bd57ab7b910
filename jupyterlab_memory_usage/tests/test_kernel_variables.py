"""The kernel's variable sizer on its own (no kernel): what it counts once, what it
never calls, and which cell it says bound each name."""

import gc
import mmap
import sys
import types
import weakref

import numpy as np
import pytest

from jupyterlab_memory_usage import kernel_variables as kv
from jupyterlab_memory_usage.kernel_bindings import NameBindings


def shell_with(**names):
    hidden = {"In": [], "get_ipython": lambda: None}
    return types.SimpleNamespace(user_ns={**hidden, **names}, user_ns_hidden=dict(hidden))


def sized(shell, budget_s=5.0, bindings=None):
    result = kv.size_variables(shell, bindings, budget_s, rss_bytes=10**12)
    return result, {v["name"]: v for v in result["variables"]}


class Trap(Exception):
    pass


class Hostile:
    """Every hook a walk could trip over raises."""

    def __init__(self, payload):
        object.__setattr__(self, "payload", payload)

    def __sizeof__(self):
        raise Trap("__sizeof__ called")

    def __getattribute__(self, name):
        raise Trap(f"attribute {name} read")

    def __len__(self):
        raise Trap("__len__ called")

    def __iter__(self):
        raise Trap("__iter__ called")

    def __repr__(self):
        raise Trap("__repr__ called")

    def __eq__(self, other):
        raise Trap("__eq__ called")

    __hash__ = object.__hash__


class SneakyList(list):
    def __len__(self):
        raise Trap("__len__ called")

    def __iter__(self):
        raise Trap("__iter__ called")


def test_no_user_code_runs_and_what_it_holds_is_counted():
    payload = bytes(10**6)
    result, by_name = sized(shell_with(h=Hostile(payload), s=SneakyList([bytes(10**5)])))
    assert result["complete"] is True
    assert by_name["h"]["type"] == "Hostile" and by_name["h"]["estimated"] is True  # its C size, not its __sizeof__
    assert by_name["h"]["size"] >= 10**6  # the bytes in its __dict__
    assert by_name["s"]["length"] == 1 and by_name["s"]["size"] >= 10**5


def test_modules_classes_functions_and_ipython_names_are_not_variables():
    def f():
        pass

    shell = shell_with(np=np, f=f, C=Hostile, _private=bytes(10), __builtins__={}, x=1)
    shell.user_ns["In"] = shell.user_ns_hidden["In"]
    _, by_name = sized(shell)
    assert set(by_name) == {"x"}
    shell.user_ns["In"] = ["rebound by the user"]  # no longer IPython's own
    assert set(sized(shell)[1]) == {"x", "In"}


def test_an_object_reached_twice_is_counted_once():
    big = bytes(10**6)
    _, by_name = sized(shell_with(first=[big], second={"k": big}, alias=None))
    assert by_name["first"]["size"] > 10**6 > by_name["second"]["size"]
    shell = shell_with(x=[big])
    shell.user_ns["y"] = shell.user_ns["x"]
    _, by_name = sized(shell)
    assert by_name["y"]["size"] == 0 and by_name["y"]["view_of"] == "x"


def test_array_buffers_go_to_their_owner_or_to_the_first_view():
    owner = np.ones(10**6)
    shell = shell_with(view=owner[1:][::2], owner=owner, inside=[owner[::3]])
    _, by_name = sized(shell)
    assert by_name["owner"]["size"] == sys.getsizeof(owner) and by_name["owner"]["view_of"] is None
    assert by_name["view"]["view_of"] == "owner" and by_name["view"]["size"] < 1024
    assert by_name["inside"]["size"] < 1024
    base = np.ones(10**6)
    _, by_name = sized(shell_with(v1=base[::2], v2=base[1::2]))
    del base
    assert by_name["v1"]["size"] >= 8 * 10**6 and by_name["v1"]["view_of"] is None
    assert by_name["v2"]["view_of"] == "v1" and by_name["v2"]["size"] < 1024


def test_arrays_over_other_buffers():
    raw = bytes(8 * 10**5)
    _, by_name = sized(shell_with(a=np.frombuffer(raw, dtype=np.float64), raw=raw))
    assert by_name["a"]["size"] >= len(raw) and by_name["a"]["estimated"] is False
    assert by_name["raw"]["size"] == 0 and by_name["raw"]["view_of"] == "a"
    with mmap.mmap(-1, 2**20) as mapped:
        _, by_name = sized(shell_with(m=np.frombuffer(mapped, dtype=np.uint8)))
        assert by_name["m"]["size"] >= 2**20 and by_name["m"]["estimated"] is True  # mapped, maybe not resident
        del by_name


def test_pyarrow_and_polars_by_their_own_sizes():
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    table = pa.table({"x": np.arange(10**5, dtype=np.int64)})
    frame = pl.DataFrame({"x": np.arange(10**5, dtype=np.int64)})
    _, by_name = sized(shell_with(t=table, p=frame))
    assert by_name["t"]["size"] == table.get_total_buffer_size() and by_name["t"]["shape"] == [10**5, 1]
    assert by_name["p"]["size"] == frame.estimated_size() and by_name["p"]["shape"] == [10**5, 1]


def test_pandas_objects_within_the_budget_else_estimated():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"o": pd.Series(["x" * 50] * 10**5, dtype=object), "f": np.ones(10**5)})
    _, by_name = sized(shell_with(df=frame, s=frame["f"]))
    assert by_name["df"]["size"] == frame.memory_usage(deep=True).sum() and by_name["df"]["estimated"] is False
    assert by_name["s"]["dtype"] == "float64" and by_name["s"]["size"] == frame["f"].memory_usage(deep=True)
    sizer = kv.Sizer(deadline_monotonic=0.0)  # no time left: a deep count would overrun
    assert sizer.size(frame, "df") == frame.memory_usage(deep=False).sum() and sizer.estimated is True


def test_tensors_by_their_storage_and_device(monkeypatch):
    class Storage:
        def __init__(self, nbytes, ptr):
            self._nbytes, self._ptr = nbytes, ptr

        def nbytes(self):
            return self._nbytes

        def data_ptr(self):
            return self._ptr

    class Tensor:
        def __init__(self, storage, device="cpu", shape=(10,)):
            self._storage, self.device, self.shape, self.dtype = storage, device, shape, "torch.float32"

        def untyped_storage(self):
            return self._storage

    monkeypatch.setitem(sys.modules, "torch", types.SimpleNamespace(Tensor=Tensor))
    shared = Storage(4 * 10**6, 1)
    result, by_name = sized(shell_with(t=Tensor(shared), view=Tensor(shared), gpu=Tensor(Storage(10**9, 2), "cuda:0")))
    assert by_name["t"]["size"] >= 4 * 10**6 and by_name["t"]["device"] == "cpu"
    assert by_name["view"]["view_of"] == "t" and by_name["view"]["size"] < 1024
    assert by_name["gpu"]["device"] == "cuda:0" and by_name["gpu"]["size"] >= 10**9
    assert result["total_size"] == by_name["t"]["size"] + by_name["view"]["size"]  # GPU memory is no RSS


def test_the_output_history_is_listed_after_the_variables():
    out = {3: bytes(10**6), 4: None}
    shell = shell_with(kept=out[3])
    shell.user_ns["Out"] = shell.user_ns_hidden["Out"] = out
    _, by_name = sized(shell)
    assert by_name["kept"]["size"] >= 10**6 > by_name["Out"]["size"]  # counted in the variable
    del shell.user_ns["kept"]
    _, by_name = sized(shell)
    assert by_name["Out"]["size"] >= 10**6 and by_name["Out"]["type"] == "output history"


def test_a_spent_budget_lists_names_without_sizes():
    result, by_name = sized(shell_with(a=[[object() for _ in range(10)] for _ in range(10**4)], b=1), budget_s=0)
    assert result["complete"] is False and {v["size"] for v in by_name.values()} == {None}
    assert result["total_size"] == 0


def test_at_most_a_thousand_listed_the_rest_summed():
    names = {f"x{i:04d}": bytes(i) for i in range(kv.MAX_LISTED + 5)}
    result, _ = sized(shell_with(**names))
    assert len(result["variables"]) == kv.MAX_LISTED and result["omitted_count"] == 5
    assert result["variables"][0]["name"] == "x1004"
    assert result["omitted_size"] == sum(sys.getsizeof(bytes(i)) for i in range(5))
    assert result["total_size"] == sum(sys.getsizeof(v) for v in names.values())


def test_bindings_name_the_cell_and_hold_nothing():
    ns = {"old": 1}
    bindings = NameBindings(ns)
    obj = np.ones(10)
    ns["x"] = obj
    ns["y"] = 2
    bindings.note(ns, 1, "cell-1", "m1")
    assert bindings.where("x") == (1, "cell-1", "m1") and bindings.where("old") is None
    ns["x"] = np.ones(10)  # rebound
    bindings.note(ns, 2, "cell-2", "m2")
    assert bindings.where("x")[1] == "cell-2" and bindings.where("y")[1] == "cell-1"
    del ns["y"]  # names not a prefix any more: compared one by one
    ns["z"] = 3
    bindings.note(ns, 3, "cell-3", "m3")
    assert bindings.where("y") is None and bindings.where("z")[1] == "cell-3" and bindings.where("x")[1] == "cell-2"
    ref = weakref.ref(obj)
    del obj
    gc.collect()
    assert ref() is None  # the bindings kept no reference
