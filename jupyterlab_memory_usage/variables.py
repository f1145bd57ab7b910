"""The server's side of the Variables list: ask the kernel's hook to size its
namespace when the kernel is idle, keep the last answer for when it is busy.

The sizing runs in the kernel's shell queue like a cell, so it never runs while a
cell does; the server does not send it while one runs (it answers the last result,
``stale``), and one request in flight serves every caller.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from .config import MemoryUsage
from .hook_control import HookControl
from .store import KernelHistory

# What the kernel needs besides the budget: the round trip, a large namespace's JSON.
_REPLY_MARGIN_S = 5.0


def _empty(kernel_id: str) -> dict[str, Any]:
    return {"kernel_id": kernel_id, "as_of": None, "stale": True, "complete": False, "sized_in_s": None,
            "budget_s": None, "rss": None, "total_size": None, "omitted_count": 0, "omitted_size": 0,
            "variables": None}


class KernelVariables:
    def __init__(self, kernel_id: str, hook: HookControl, history: KernelHistory, config: MemoryUsage,
                 busy: Callable[[], bool]):
        self.kernel_id = kernel_id
        self.hook = hook
        self.history = history
        self.config = config
        self.busy = busy
        self._last: dict[str, Any] | None = None
        self._pending: asyncio.Future | None = None

    def forget(self) -> None:
        """The kernel's process is gone, and its variables with it."""
        self._last = None
        self._pending = None

    async def get(self) -> dict[str, Any]:
        """Sized now if the kernel is idle, else the last answer marked stale.

        Raises HookUnavailable (no active hook) before anything else."""
        self.hook.require_active("Listing variables")
        budget_s = self.config.variables_budget_s
        if self._pending is None:
            if self.busy():
                return self._stale()
            self._pending = self._request(budget_s)
        pending = self._pending
        try:
            return await asyncio.wait_for(asyncio.shield(pending), budget_s + _REPLY_MARGIN_S)
        except asyncio.TimeoutError:  # queued behind cells sent since: it comes later
            return self._stale()

    def _request(self, budget_s: float) -> asyncio.Future:
        asked = self.hook.ask_hook(f"variables({float(budget_s)!r})", "list variables")
        done: asyncio.Future = asyncio.get_event_loop().create_future()
        done.add_done_callback(lambda f: f.cancelled() or f.exception())

        def on_answer(f: asyncio.Future) -> None:
            if self._pending is done:
                self._pending = None
            if done.done():
                return
            if f.cancelled():
                done.cancel()
            elif f.exception() is not None:
                done.set_exception(f.exception())
            else:
                self._last = self._with_cells(f.result())
                done.set_result({**self._last, "stale": False})

        asked.add_done_callback(on_answer)
        return done

    def _stale(self) -> dict[str, Any]:
        return {**self._last, "stale": True} if self._last is not None else _empty(self.kernel_id)

    def _with_cells(self, answer: dict[str, Any]) -> dict[str, Any]:
        """The kernel's answer, each name's cell taken from the server's record of the
        execution that bound it (the frontend's annotation) where there is one."""
        variables = answer.get("variables") or []
        for variable in variables:
            record = self.history.get(variable.pop("msg_id", None) or "")
            if record is not None:
                variable["cell_id"] = record.cell_id or variable.get("cell_id")
                variable["execution_count"] = record.execution_count or variable.get("execution_count")
        return {"kernel_id": self.kernel_id, **answer, "variables": variables}
