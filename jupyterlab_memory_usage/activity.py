"""Reading a kernel's iopub through jupyter_server's own activity watcher.

jupyter_server already keeps one iopub stream per kernel (``_activity_stream``, set up by
``MappingKernelManager.start_watching_activity``) to track activity and execution state.
A second socket of ours would make the server receive, verify and parse every message
of every kernel twice: half of this extension's cost on a busy server. So our handler
runs right after the server's own on that stream.

These are private parts of jupyter_server and pyzmq: where any of them is missing, or the
stream is stale (a restart on new ports that the server did not rewatch), ``attach``
returns None and the monitor opens a socket of its own.
"""

from __future__ import annotations

from typing import Any, Callable

import zmq

_CHAINED = "_jupyterlab_memory_usage_original"


class SharedIopub:
    """Our callback chained after jupyter_server's activity callback on one stream."""

    def __init__(self, stream: Any, original: Callable[[list], Any], callback: Callable[[list], Any]):
        self.stream = stream
        self._original = original

        def chained(msg_list: list) -> None:
            try:
                original(msg_list)
            finally:
                callback(msg_list)

        setattr(chained, _CHAINED, original)
        self._chained = chained
        stream.on_recv(chained)

    @classmethod
    def attach(cls, kernel_manager: Any, callback: Callable[[list], Any]) -> SharedIopub | None:
        """Chain ``callback`` on the kernel's activity stream; None when there is none
        that listens to the kernel's current iopub port."""
        stream = getattr(kernel_manager, "_activity_stream", None)
        if stream is None or _closed(stream):
            return None
        original = getattr(stream, "_recv_callback", None)
        if not callable(original):
            return None
        # A callback we chained before (a monitor that was not closed): chain afresh.
        original = getattr(original, _CHAINED, original)
        if not _listens_to(stream, kernel_manager):
            return None
        return cls(stream, original, callback)

    def is_current(self, kernel_manager: Any) -> bool:
        """Whether our callback still runs on the kernel's activity stream (the server
        makes a new one when a restart moves the kernel to new ports)."""
        stream = getattr(kernel_manager, "_activity_stream", None)
        return (stream is self.stream and not _closed(stream)
                and getattr(stream, "_recv_callback", None) is self._chained)

    def close(self) -> None:
        """Give the stream back its own callback alone."""
        if not _closed(self.stream) and getattr(self.stream, "_recv_callback", None) is self._chained:
            self.stream.on_recv(self._original)


def _listens_to(stream: Any, kernel_manager: Any) -> bool:
    """Whether the stream is connected to the kernel's iopub port as it is now (an
    automatic restart may have moved the kernel to new ports)."""
    try:
        endpoint = stream.socket.getsockopt(zmq.LAST_ENDPOINT).decode()
        return endpoint == kernel_manager._make_url("iopub")
    except Exception:  # noqa: BLE001 - whatever cannot be checked is not shared
        return False


def _closed(stream: Any) -> bool:
    try:
        return bool(stream.closed())
    except Exception:  # noqa: BLE001
        return True
