"""Kernels without a local process, read through their own ``usage_request``.

A kernel behind a gateway (``--gateway-url``), or started by a provisioner that is not
local, has no PID this server could read. ipykernel (7.4 tested) answers a
``usage_request`` on the control channel, from its control thread, so also while a cell
runs: its ``usage_reply`` carries ``kernel_memory``, the memory of the kernel and all its
children together (in ipykernel 7.4 their PSS, through psutil's ``memory_full_info``),
in about 15 ms, or up to a second late while the cell holds the GIL in C code.

One ``RemoteKernelChannel`` per kernel keeps one client, from the kernel manager itself
(for a gateway kernel jupyter_server's ``GatewayKernelClient``, whose one websocket to
the gateway carries every channel), opened once and closed when the kernel goes. Its
iopub messages (busy and idle of each execution) go to the monitor like a local
kernel's; its control channel carries the usage requests, never more than one in flight.
Nothing here blocks: the client's queues are drained on the event loop, at once when a
gateway client's websocket thread fills them, and by the monitor's every tick.
An execution's end figure is the first reading after its idle, so it must be asked for
and read at once: a cell the page runs a tenth of a second later would be in it.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.provisioning import LocalProvisioner

try:
    import websocket
    from jupyter_client.client import KernelClient
    from jupyter_server.gateway.gateway_client import GatewayClient
    from jupyter_server.gateway.managers import GatewayKernelManager
    from jupyter_server.utils import url_escape, url_path_join
except ImportError:  # a host without jupyter_server's gateway support has no gateway kernels
    GatewayKernelManager = None  # type: ignore[assignment,misc]

# The kernel-level ``method`` of such a kernel, and its records' ``method``: the peak is
# the largest reading, one every ``busy_sample_interval_s`` at best.
PROBE_METHOD = "usage_request"
RECORD_METHOD = "usage_request_sampled"
LIMIT_SOURCE = "remote_host"  # the physical memory of the kernel's host, from its reply
_TELLS_ON_ARRIVAL = "_jupyterlab_memory_usage_tells_on_arrival"
# The longest wait between two attempts to open a lost kernel's client again.
_REOPEN_MAX_S = 30.0

def is_remote_kernel(kernel_manager: Any) -> bool:
    """True for a kernel that never has a local process: a gateway's, or one whose
    provisioner is not the local one and holds no process of its own. A local kernel
    between two processes (a restart) is not remote."""
    if GatewayKernelManager is not None and isinstance(kernel_manager, GatewayKernelManager):
        return True
    provisioner = getattr(kernel_manager, "provisioner", None)
    return (provisioner is not None and not isinstance(provisioner, LocalProvisioner)
            and getattr(provisioner, "process", None) is None)


@dataclass
class UsageReading:
    time: float  # the reply's own timestamp, on the kernel's clock like its busy and idle
    memory_bytes: int  # kernel_memory: the kernel and its children, PSS where available
    host_memory_bytes: int | None  # the physical memory of the kernel's host
    pid: int | None  # the kernel's PID on its own host


def _timestamp(value: Any) -> float | None:
    if isinstance(value, datetime):  # jupyter_client's Session parses dates
        return value.timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):  # the gateway's websocket carries them as text
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None
    return None


def _drain(channel: Any) -> list[dict[str, Any]]:
    """Every message already received on a channel, without waiting.

    A gateway client's channel is a thread-safe queue that its websocket thread fills
    (its own ``get_msg`` with a timeout spins the event loop with ``sleep(0)``, so it is
    not used); a ZMQ channel of a blocking client is polled with a zero timeout."""
    messages = []
    while True:
        try:
            messages.append(channel.get_nowait() if isinstance(channel, queue.Queue) else channel.get_msg(timeout=0))
        except queue.Empty:
            return messages


class RemoteKernelChannel:
    """One kernel's iopub and control, over one client, and its usage requests."""

    def __init__(self, kernel_id: str, kernel_manager: Any, log: Any, *, reply_timeout_s: float,
                 max_unanswered: int, relevant_iopub: frozenset[str], on_iopub: Callable[[dict[str, Any]], None],
                 on_reading: Callable[[UsageReading], None],
                 on_not_supported: Callable[[str], None],
                 on_shell: Callable[[dict[str, Any]], None] = lambda msg: None,
                 on_lost: Callable[[str], None] = lambda why: None):
        self.kernel_id = kernel_id
        self.km = kernel_manager
        self.log = log
        self.reply_timeout_s = reply_timeout_s
        self.max_unanswered = max_unanswered
        self.relevant_iopub = relevant_iopub
        self.on_iopub = on_iopub
        self.on_reading = on_reading
        self.on_not_supported = on_not_supported
        # The shell replies to requests sent through ``send_shell`` (the hook's loader and
        # its silent requests), kernel_info_reply apart.
        self.on_shell = on_shell
        # The connection went (the gateway restarted, or dropped our websocket): told
        # once per loss; the client is opened again, later and later, until it works.
        self.on_lost = on_lost
        self._connected_once = False
        self._reopen_at_monotonic: float | None = None
        self._reopen_delay_s = 0.0
        # The kernel's kernel_info_reply ``implementation`` ("ipython"), once it came.
        self.implementation: str | None = None
        self.client: Any | None = None
        self._opening: asyncio.Future | None = None
        self.closed = False
        # True once the kernel has answered a usage_request with a memory figure.
        self.answering = False
        self.gave_up = False
        self._unanswered = 0
        self._in_flight: str | None = None
        self._sent_at = 0.0  # time.monotonic() of the request in flight
        # An execution's idle waits here, with every iopub message after it, until a
        # reading taken after it has come (its end figure); ``_waiting_since`` bounds it.
        self._held: deque[dict[str, Any]] = deque()
        self._waiting_since: float | None = None
        self.last_reading_time: float | None = None  # kernel clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._poll_scheduled = False

    @property
    def needs_polling(self) -> bool:
        """Whether only the tick reads this client's queues (a ZMQ client; a gateway
        client's arrivals schedule their own reads)."""
        return self.client is not None and not getattr(self.client, _TELLS_ON_ARRIVAL, False)

    # ----- the client --------------------------------------------------------------

    def open(self) -> None:
        """Open the client off the event loop (a gateway client's websocket connects
        synchronously); the tick polls it once it is there."""
        if self._opening is None and not self.closed:
            self._opening = asyncio.ensure_future(self._open())

    async def _open(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        try:
            client = await loop.run_in_executor(None, self._make_client)
        except Exception as e:  # noqa: BLE001 - an unreachable kernel is reported, not raised
            if self._connected_once:
                self._schedule_reopen()  # still away: try again later
            else:
                self._give_up(f"cannot open a client on the kernel: {e}")
            return
        if self.closed:
            _stop(client)
            return
        if self._connected_once:
            self.log.info("memory-usage: kernel %s reached again", self.kernel_id)
        self._connected_once = True
        self._reopen_delay_s = 0.0
        self.client = client
        self._in_flight = None
        self.request()
        # Whether it is IPython (the memory hook's): a gateway's kernelspec cannot be read
        # here without a request to the gateway, and the kernel says it itself.
        self.send_shell(client.session.msg("kernel_info_request", {}))

    def send_shell(self, msg: dict[str, Any]) -> bool:
        """Send a request on the kernel's shell channel (queued behind its cells); its
        reply comes to ``on_shell``. False when there is no client (yet, or any more)."""
        if self.client is None or self.gave_up:
            return False
        msg["channel"] = "shell"  # as for control: the gateway's websocket needs it said
        try:
            self.client.shell_channel.send(msg)
        except Exception as e:  # noqa: BLE001 - a closed websocket or socket
            self._lose(f"cannot send on the kernel's shell channel: {e}")
            return False
        return True

    def _make_client(self) -> Any:
        if GatewayKernelManager is not None and isinstance(self.km, GatewayKernelManager):
            return _open_gateway_client(self.km, self._arrived)
        client = BlockingKernelClient()
        client.load_connection_info(self.km.get_connection_info(session=False))
        client.session.key = self.km.session.key
        client.start_channels(shell=True, stdin=False, hb=False)
        return client

    def close(self) -> None:
        self.closed = True
        if self._opening is not None and not self._opening.done():
            return  # _open stops the client it made
        if self.client is not None:
            _stop(self.client)
            self.client = None

    def _arrived(self, msg: dict[str, Any], channel: str) -> None:
        """From the client's websocket thread: a message was queued. A reply or a
        relevant iopub message has the event loop poll once, however many come."""
        if self._poll_scheduled or self._loop is None:
            return
        if channel in ("control", "shell") or (channel == "iopub" and _msg_type(msg) in self.relevant_iopub):
            self._poll_scheduled = True
            try:
                self._loop.call_soon_threadsafe(self._scheduled_poll)
            except RuntimeError:  # the loop is closed: the server is stopping
                pass

    def _scheduled_poll(self) -> None:
        # Cleared before the drain: what lands during it schedules the next poll.
        self._poll_scheduled = False
        if not self.closed:
            self.poll()

    # ----- requests ----------------------------------------------------------------

    def request(self, retry_after_s: float | None = None) -> None:
        """Ask for a reading now, unless one is already on its way (for less than
        ``retry_after_s``, by default the reply timeout)."""
        if self.client is None or self.gave_up:
            return
        now = time.monotonic()
        if self._in_flight is not None:
            if now - self._sent_at < (retry_after_s or self.reply_timeout_s):
                return
            self._in_flight = None
            if not self.answering:
                self._unanswered += 1
                if self._unanswered >= self.max_unanswered:
                    self._give_up(f"the kernel did not answer usage_request ({self._unanswered} requests, "
                                  f"{self.reply_timeout_s:g} s each); it may be too old or not an ipykernel")
                    return
            elif self._unanswered == 0:
                # Logged once per silence: a kernel busy in C code, or one that died.
                self.log.info("memory-usage: kernel %s has not answered usage_request for %.1f s",
                              self.kernel_id, now - self._sent_at)
                self._unanswered = 1
        msg = self.client.session.msg("usage_request", {})
        # jupyter_server's gateway client sends a message without saying its channel,
        # and the gateway then takes it for shell, where it would wait behind the
        # running cell: say it.
        msg["channel"] = "control"
        try:
            self.client.control_channel.send(msg)
        except Exception as e:  # noqa: BLE001 - a closed websocket or socket
            self._lose(f"cannot send usage_request: {e}")
            return
        self._in_flight, self._sent_at = msg["header"]["msg_id"], now

    def _lose(self, why: str) -> None:
        """The connection is gone, not the kernel's support: drop the client, end what
        was running (``on_lost``), and open a new client later."""
        if self.client is None or self.closed:
            return
        self.log.warning("memory-usage: lost the connection to kernel %s (%s); trying again", self.kernel_id, why)
        _stop(self.client)
        self.client = None
        self._held.clear()
        self._waiting_since = None
        self._in_flight = None
        self.on_lost(why)
        self._schedule_reopen()

    def _schedule_reopen(self) -> None:
        self._opening = None
        self._reopen_delay_s = min(max(2 * self._reopen_delay_s, 1.0), _REOPEN_MAX_S)
        self._reopen_at_monotonic = time.monotonic() + self._reopen_delay_s

    def _give_up(self, why: str) -> None:
        if self.gave_up:
            return
        self.gave_up = True
        self._held.clear()
        self.log.warning("memory-usage: kernel %s cannot be measured: %s", self.kernel_id, why)
        self.on_not_supported(why)
        self.close()

    # ----- what came in ------------------------------------------------------------

    def poll(self) -> None:
        """Handle the replies and iopub messages received since the last poll."""
        if self.client is None:
            due = self._reopen_at_monotonic
            if due is not None and time.monotonic() >= due and not self.closed and not self.gave_up:
                self._reopen_at_monotonic = None
                self.open()
            return
        router = getattr(self.client, "response_router", None)
        if getattr(self.client, _TELLS_ON_ARRIVAL, False) and router is not None and not router.is_alive():
            # The gateway closed the websocket: its thread reads no more, and nothing
            # fails until a request is sent (an idle kernel is sent nothing).
            self._lose("the gateway closed the kernel's websocket")
            return
        try:
            replies = _drain(self.client.control_channel)
            self._held.extend(m for m in _drain(self.client.iopub_channel) if _msg_type(m) in self.relevant_iopub)
            shell = _drain(self.client.shell_channel)
            _drain(self.client.stdin_channel)
        except Exception as e:  # noqa: BLE001 - the client's connection is gone
            self._lose(f"lost the connection to the kernel: {e}")
            return
        for reply in replies:
            self._on_control(reply)
        for msg in shell:
            if _msg_type(msg) == "kernel_info_reply":
                implementation = (msg.get("content") or {}).get("implementation")
                self.implementation = implementation if isinstance(implementation, str) else ""
            self.on_shell(msg)
        if self.gave_up:
            return
        self._release()

    def _on_control(self, msg: dict[str, Any]) -> None:
        if _msg_type(msg) != "usage_reply":
            return
        if msg.get("parent_header", {}).get("msg_id") != self._in_flight:
            return  # a late reply to a request given up on
        self._in_flight = None
        content = msg.get("content") or {}
        memory = content.get("kernel_memory")
        if not isinstance(memory, int) or isinstance(memory, bool):
            # ipykernel without psutil answers with its host name and CPU count only.
            self._give_up("the kernel's usage_reply holds no kernel_memory (is psutil installed in the kernel?)")
            return
        self.answering = True
        self._unanswered = 0
        host = (content.get("host_virtual_memory") or {}).get("total")
        pid = content.get("pid")
        kernel_time = _timestamp(msg.get("header", {}).get("date"))
        reading = UsageReading(
            time=kernel_time if kernel_time is not None else time.time(),
            memory_bytes=memory,
            host_memory_bytes=host if isinstance(host, int) else None,
            pid=pid if isinstance(pid, int) else None,
        )
        self.on_reading(reading)
        self.last_reading_time = reading.time

    def _release(self) -> None:
        """Hand the held iopub messages over in order, stopping at an execution's idle
        until a reading taken after it has come: that reading is the execution's end
        (likewise after a new process's ``starting``).
        Until the kernel first answers, they all wait (a kernel that never does is not
        measured, and leaves no records without figures)."""
        while self._held and self.answering:
            msg = self._held[0]
            if _needs_reading_after(msg) and not self._has_end_figure(msg):
                return
            self._held.popleft()
            self._waiting_since = None
            self.on_iopub(msg)

    def _has_end_figure(self, idle: dict[str, Any]) -> bool:
        idle_time = _timestamp(idle.get("header", {}).get("date"))
        if idle_time is None or (self.last_reading_time is not None and self.last_reading_time >= idle_time):
            return True
        now = time.monotonic()
        if self._waiting_since is None:
            self._waiting_since = now
        elif now - self._waiting_since >= self.reply_timeout_s:
            # The end figure stays the last reading: better than a record that never ends.
            self.log.debug("memory-usage: no reading of kernel %s after its idle; ending with the last one",
                           self.kernel_id)
            return True
        # A request in flight may have been answered before the idle: request() asks
        # again once it is back.
        self.request()
        return False


def _open_gateway_client(km: Any, on_arrival: Callable[[dict[str, Any], str], None]) -> Any:
    """The kernel manager's own client class, its websocket opened as jupyter_server's
    ``GatewayKernelClient.start_channels`` opens it, plus the gateway's headers: that
    method sends none, so a gateway that wants its token (any real one) refuses it
    with 401, while the server's websocket relay sends them. ``on_arrival`` is called
    from the client's websocket thread with each iopub and control message it queues."""
    gateway = GatewayClient.instance()
    client = km.client()
    connection = gateway.load_connection_args()
    client.channel_socket = websocket.create_connection(
        url_path_join(gateway.ws_url or "", gateway.kernels_endpoint, url_escape(km.kernel_id), "channels"),
        header=connection.get("headers") or {},
        timeout=gateway.KERNEL_LAUNCH_TIMEOUT,
        enable_multithread=True,
        sslopt={"ca_certs": gateway.ca_certs, "certfile": gateway.client_cert, "keyfile": gateway.client_key},
    )
    # Every channel, though stdin is never read: the client's websocket thread
    # stops for good on a message for a channel it has no queue for.
    KernelClient.start_channels(client)
    for name in ("iopub", "control", "shell"):
        _tell_on_put(getattr(client, f"{name}_channel"), name, on_arrival)
    setattr(client, _TELLS_ON_ARRIVAL, True)
    client.response_router = threading.Thread(target=client._route_responses, daemon=True,
                                              name=f"memory-usage-{km.kernel_id}")
    client.response_router.start()
    return client


def _tell_on_put(channel: queue.Queue, name: str, on_arrival: Callable[[dict[str, Any], str], None]) -> None:
    # The client's router thread queues with put_nowait, which calls put: the queue's
    # own put, then the callback.
    put = channel.put

    def put_and_tell(item: Any, block: bool = True, timeout: float | None = None) -> None:
        put(item, block, timeout)
        on_arrival(item, name)

    channel.put = put_and_tell  # type: ignore[method-assign]


def _msg_type(msg: dict[str, Any]) -> str | None:
    return msg.get("msg_type") or (msg.get("header") or {}).get("msg_type")


def _needs_reading_after(msg: dict[str, Any]) -> bool:
    """An execution's idle (its end figure), or a kernel process starting (a restart,
    told apart by the PID of the next reading, before any cell of the new process)."""
    if _msg_type(msg) != "status":
        return False
    state = (msg.get("content") or {}).get("execution_state")
    if state == "starting":
        return True
    return state == "idle" and (msg.get("parent_header") or {}).get("msg_type") == "execute_request"


def _stop(client: Any) -> None:
    try:
        client.stop_channels()
    except Exception:  # noqa: BLE001 - closing what is already gone
        pass
