"""A kernel's iopub messages, the few that matter, from one source at a time.

The source is jupyter_server's own activity stream (``activity.py``) where it can be
shared, else a socket of our own. A kernel attached before the server watches it
starts on its own socket and moves over later; during the move both stay open for a
moment and each message is handled once.
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from typing import Any, Callable

import zmq

from .activity import SharedIopub
from .config import MemoryUsage

RELEVANT_IOPUB = frozenset({"status", "execute_input", "error", "comm_msg"})
# A header holds its msg_type as a JSON string: a header without any of these cannot be
# relevant, and is not parsed (outputs are most of a kernel's messages).
_RELEVANT_HEADER = re.compile(b"|".join(re.escape(f'"{t}"'.encode()) for t in sorted(RELEVANT_IOPUB)))
# execute_input carries the cell's code, of any length, and only its execution_count is
# wanted. In JSON text every quote inside a string is escaped, so '"execution_count":'
# can only be the key.
_EXECUTION_COUNT = re.compile(rb'"execution_count"\s*:\s*(\d+)')
# Frames are decoded to str first: json.loads on bytes guesses their encoding each time.
_json_decode = json.JSONDecoder().decode
# A source on a socket of its own tries again to share the activity stream at each
# check at first (the server watches a new kernel only once it has started, after we
# attached), then less and less often, up to this.
_SHARE_RETRY_MAX_S = 5.0
# How long our own iopub socket stays open after the move to the shared stream.
_SWITCH_OVERLAP_S = 1.0
# How many of the last messages read on our own socket are recognised on the shared one.
_RECENT_OWN_IDS = 256

# msg_type, header, parent header, content (of execute_input: only its execution_count)
IopubHandler = Callable[[Any, dict[str, Any], dict[str, Any], dict[str, Any]], None]


class IopubSource:
    def __init__(self, kernel_id: str, kernel_manager: Any, config: MemoryUsage, log: Any,
                 on_message: IopubHandler):
        self.kernel_id = kernel_id
        self.km = kernel_manager
        self.config = config
        self.log = log
        self.on_message = on_message
        self.iopub: Any | None = None  # a socket of our own
        self.shared_iopub: SharedIopub | None = None  # or jupyter_server's activity stream
        self.share_retry_monotonic = 0.0
        self._share_retry_delay_s = 0.0
        # While both the shared stream and our own socket are open (a moment after the
        # move): until when, and the ids of the messages handled, each handled once.
        self._own_iopub_until_monotonic = 0.0
        self._seen_during_switch: set[str] | None = None
        self._recent_own_ids: deque[str] = deque(maxlen=_RECENT_OWN_IDS)

    def connect(self) -> None:
        self.close()
        if self.config.share_activity_stream:
            self.shared_iopub = SharedIopub.attach(self.km, self.on_frames)
            if self.shared_iopub is not None:
                return
            self.share_retry_monotonic, self._share_retry_delay_s = 0.0, 0.0
        self._open_own()

    def check(self) -> None:
        """Follow the activity stream: the server makes a new one when a restart moves
        the kernel to new ports, and a source on a socket of its own moves over to it
        once the server watches the kernel."""
        shared = self.shared_iopub
        now_monotonic = time.monotonic()
        if shared is not None:
            if not shared.is_current(self.km):
                shared.close()
                self.shared_iopub = None
                self._close_own()
                self._open_own()
            elif self.iopub is not None and now_monotonic >= self._own_iopub_until_monotonic:
                self._close_own()
            return
        if not self.config.share_activity_stream or now_monotonic < self.share_retry_monotonic:
            return
        self.shared_iopub = SharedIopub.attach(self.km, self.on_frames)
        if self.shared_iopub is None:
            self._share_retry_delay_s = min(max(2 * self._share_retry_delay_s, 0.1), _SHARE_RETRY_MAX_S)
            self.share_retry_monotonic = now_monotonic + self._share_retry_delay_s
        elif self.iopub is not None:
            # A message the server's stream handled just before our callback was chained
            # on it can still be on its way to our own socket (a cell's busy lost, the
            # cell unrecorded). Both stay open a moment, each message once. The server's
            # stream may also hand us what our socket already did.
            self._own_iopub_until_monotonic = now_monotonic + _SWITCH_OVERLAP_S
            self._seen_during_switch = set(self._recent_own_ids)

    def close(self) -> None:
        if self.shared_iopub is not None:
            self.shared_iopub.close()
            self.shared_iopub = None
        self._close_own(handle_pending=False)

    def _open_own(self) -> None:
        try:
            self.iopub = self.km.connect_iopub()
        except Exception as e:  # noqa: BLE001 - a kernel we cannot reach is reported, not raised
            self.log.warning("memory-usage: cannot listen to kernel %s: %s", self.kernel_id, e)
            self.iopub = None
            return
        self.iopub.on_recv(self.on_frames)

    def _close_own(self, handle_pending: bool = True) -> None:
        if self.iopub is not None:
            if handle_pending:
                try:
                    self.iopub.flush(zmq.POLLIN, limit=10_000)
                except zmq.ZMQError:
                    pass
            try:
                self.iopub.close(linger=0)
            except Exception:  # noqa: BLE001 - a socket that cannot close is dropped all the same
                pass
            self.iopub = None
        self._seen_during_switch = None
        self._recent_own_ids.clear()

    def on_frames(self, parts: list[bytes]) -> None:
        """One message as ZMQ frames, from either source."""
        try:
            _, msg_list = self.km.session.feed_identities(parts, copy=True)
            raw_header = msg_list[1]
            if _RELEVANT_HEADER.search(raw_header) is None:
                return
            header = _json_decode(raw_header.decode())
            msg_type = header.get("msg_type")
            if msg_type not in RELEVANT_IOPUB:
                return
            if self._seen_during_switch is not None:
                msg_id = header.get("msg_id")
                if msg_id in self._seen_during_switch:
                    return
                self._seen_during_switch.add(msg_id)
            elif self.iopub is not None and self.config.share_activity_stream:
                # Only a socket we will leave for the shared stream needs them.
                self._recent_own_ids.append(header.get("msg_id"))
            parent = _json_decode(msg_list[2].decode())
            if msg_type == "execute_input":
                match = _EXECUTION_COUNT.search(msg_list[4])
                content = {"execution_count": int(match[1]) if match else None}
            else:
                content = _json_decode(msg_list[4].decode())
        except (ValueError, IndexError, TypeError, AttributeError):
            self.log.debug("memory-usage: unreadable iopub message from kernel %s", self.kernel_id)
            return
        self.on_message(msg_type, header, parent, content)


def on_session_message(msg: dict[str, Any], on_message: IopubHandler) -> None:
    """One message already parsed by a ``Session`` (a remote kernel's client)."""
    header = msg.get("header") or {}
    date = header.get("date")
    if not isinstance(date, str) and hasattr(date, "isoformat"):  # a Session parses dates
        header = {**header, "date": date.isoformat()}
    on_message(header.get("msg_type"), header, msg.get("parent_header") or {}, msg.get("content") or {})
