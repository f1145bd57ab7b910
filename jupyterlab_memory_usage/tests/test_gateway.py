"""Kernels behind a real Jupyter Kernel Gateway: no local process, measured through
their own usage_request on the control channel, over the server's gateway client.

The gateway runs here, on 127.0.0.1, so its kernels are processes of this machine;
this server does not know their PIDs (its kernel manager is the gateway's), which is
what a remote kernel looks like to it."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from jupyter_client.jsonutil import json_default
from jupyter_client.session import Session
from jupyter_server.gateway.gateway_client import GatewayClient

from .helpers import MIB, ONES_1E8_BYTES, assert_close, mib, wait_state

# A kernel without a usage_request handler, as ipykernel was before it had one: it logs
# the unknown control message and never answers.
NO_USAGE_KERNEL = """
from ipykernel.ipkernel import IPythonKernel
from ipykernel.kernelapp import IPKernelApp
class NoUsageKernel(IPythonKernel):
    control_msg_types = [t for t in IPythonKernel.control_msg_types if t != "usage_request"]
IPKernelApp.launch_instance(kernel_class=NoUsageKernel)
"""


def _hold_a_free_port() -> tuple[socket.socket, int]:
    """A free loopback port, kept bound (SO_REUSEADDR, not listening) until the gateway
    listens on it: meanwhile no other socket can take it, neither a bind of port 0 nor
    an outgoing connection, while the gateway's own bind (SO_REUSEADDR) succeeds."""
    held = socket.socket()
    held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    held.bind(("127.0.0.1", 0))
    return held, held.getsockname()[1]


def _gateway_get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def no_usage_kernelspec(jp_data_dir):
    spec_dir = jp_data_dir / "kernels" / "no-usage"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-c", NO_USAGE_KERNEL, "-f", "{connection_file}"],
            "display_name": "Python without usage_request", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    return "no-usage"


@pytest.fixture
def kernel_gateway(jp_environ, no_usage_kernelspec, tmp_path):
    """A Jupyter Kernel Gateway on a free loopback port, with a token; it inherits this
    test's Jupyter paths, so it finds the kernelspecs written there, and its kernels use
    IPC in this test's runtime folder, like the server's (see conftest.py)."""
    held, port = _hold_a_free_port()
    token = secrets.token_hex(16)
    log_path = tmp_path / "kernel_gateway.log"
    url = f"http://127.0.0.1:{port}"
    processes: list[subprocess.Popen] = []

    def start() -> None:
        with open(log_path, "ab") as log:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "kernel_gateway", "--KernelGatewayApp.ip=127.0.0.1",
                 f"--KernelGatewayApp.port={port}", "--KernelGatewayApp.port_retries=0",
                 f"--KernelGatewayApp.auth_token={token}", "--JupyterWebsocketPersonality.list_kernels=True",
                 "--KernelManager.transport=ipc"],
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ},
            ))
        deadline = time.monotonic() + 120
        while True:
            try:
                _gateway_get(f"{url}/api", token)
                return
            except OSError:
                assert processes[-1].poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "the kernel gateway never answered\n" + log_path.read_text()
                time.sleep(0.2)

    def stop() -> None:
        process = processes[-1]
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart() -> None:
        """The gateway stops (its kernels with it) and starts again on the same port."""
        stop()
        start()

    try:
        start()
        held.close()
        yield {"url": url, "token": token, "log": log_path, "restart": restart}
    finally:
        held.close()
        if processes:
            stop()


@pytest.fixture
def gateway_server(jp_serverapp, jp_asyncio_loop, kernel_gateway):
    """The server, whose kernels are shut down while their gateway still runs (the
    server's own clean-up comes after every other fixture's)."""
    yield jp_serverapp
    jp_asyncio_loop.run_until_complete(jp_serverapp.kernel_manager.shutdown_all())


@pytest.fixture
def memory_usage_config():
    return {}


@pytest.fixture
def jp_server_config(jp_server_config, kernel_gateway, memory_usage_config):
    # GatewayClient is a process-wide singleton: a stale one would ignore this config, and
    # this one would turn every later test's server into a gateway client.
    GatewayClient.clear_instance()
    yield {
        **jp_server_config,
        "GatewayClient": {"url": kernel_gateway["url"], "auth_token": kernel_gateway["token"],
                          "request_timeout": 120.0},
        "MemoryUsage": {**memory_usage_config},
    }
    GatewayClient.clear_instance()


class WebSocketKernel:
    """A kernel driven the way JupyterLab drives it: through this server's websocket,
    which the server relays to the gateway."""

    def __init__(self, fetch, ws, kernel_id: str):
        self.fetch, self.ws, self.kernel_id = fetch, ws, kernel_id
        self.session = Session()
        self.stdout: dict[str, list[str]] = {}

    async def state(self) -> dict:
        response = await self.fetch("api", "memory-usage", "kernels", self.kernel_id)
        return json.loads(response.body)

    def send(self, code: str) -> str:
        msg = self.session.msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                                   "user_expressions": {}, "allow_stdin": False,
                                                   "stop_on_error": True})
        msg["channel"] = "shell"
        self.ws.write_message(json.dumps(msg, default=json_default))
        return msg["header"]["msg_id"]

    async def wait_reply(self, msg_id: str, timeout: float = 120) -> dict:
        """The execution's reply, once its idle has come too (its output before it)."""
        return (await self.wait_replies([msg_id], timeout))[msg_id]

    async def wait_replies(self, msg_ids: list[str], timeout: float = 120) -> dict[str, dict]:
        """The executions' replies, once each one's idle has come too. Read together:
        the shell and iopub channels are not ordered between them, so a later cell's
        reply can come before an earlier one's idle, and must not be read past."""
        deadline = time.monotonic() + timeout
        replies: dict[str, dict] = {}
        idle: set[str] = set()
        while len(replies) < len(msg_ids) or len(idle) < len(msg_ids):
            raw = await asyncio.wait_for(self.ws.read_message(), max(0.1, deadline - time.monotonic()))
            assert raw is not None, "the websocket closed"
            msg = json.loads(raw)
            msg_id = msg["parent_header"].get("msg_id")
            if msg_id not in msg_ids:
                continue
            if msg["msg_type"] == "stream":
                self.stdout.setdefault(msg_id, []).append(msg["content"]["text"])
            elif msg["channel"] == "shell":
                replies[msg_id] = msg
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle.add(msg_id)
        return replies

    async def record(self, msg_id: str, timeout: float = 60) -> dict:
        state = await wait_state(self, lambda s: any(r["msg_id"] == msg_id and r["status"] != "running"
                                                     for r in s["executions"]),
                                 "the execution's record never ended", timeout)
        return next(r for r in state["executions"] if r["msg_id"] == msg_id)

    async def run(self, code: str) -> dict:
        msg_id = self.send(code)
        reply = await self.wait_reply(msg_id)
        assert reply["content"]["status"] == "ok", reply["content"]
        return await self.record(msg_id)


async def _start(jp_fetch, jp_ws_fetch, name: str) -> WebSocketKernel:
    response = await jp_fetch("api", "kernels", method="POST", body=json.dumps({"name": name}))
    kernel_id = json.loads(response.body)["id"]
    ws = await jp_ws_fetch("api", "kernels", kernel_id, "channels")
    return WebSocketKernel(jp_fetch, ws, kernel_id)


# The outside path, for kernels where the hook is off (or cannot load): figures from the
# kernel's own usage_request.
@pytest.mark.parametrize("memory_usage_config", [{"load_kernel_hook": False}])
async def test_gateway_kernel_measured_through_usage_request(jp_fetch, jp_ws_fetch, gateway_server, kernel_gateway):
    assert type(gateway_server.kernel_manager).__name__ == "GatewayMappingKernelManager"
    kernel = await _start(jp_fetch, jp_ws_fetch, "python3")
    try:
        state = await wait_state(kernel, lambda s: s["method"] == "usage_request", "never read by usage_request", 120)
        assert state["pid"] is None and state["reason"] is None, state
        assert state["hook"] == "disabled" and state["peak_reset"] is False, state
        assert state["limit_source"] == "remote_host" and state["limit"] > 0, state
        assert state["execution_state"] == "idle", state

        await kernel.run("import numpy as np, os, time")
        allocated = await kernel.run("_t = time.perf_counter(); x = np.ones(10**8); _t = time.perf_counter() - _t")
        assert allocated["method"] == "usage_request_sampled", allocated
        assert allocated["status"] == "ok" and allocated["pid"] is None, allocated
        # kernel_memory is the PSS of the kernel and its children, read by the kernel's
        # own psutil: its delta is the array's 762.94 MiB, give or take the pages that
        # NumPy and the allocator touch besides (10% leaves room for a reading taken as
        # the next request lands, not for a wrong method).
        assert_close(allocated["delta"], ONES_1E8_BYTES, 0.10, "delta of x = np.ones(10**8) through usage_request")
        assert allocated["rss_peak"] >= allocated["rss_end"], allocated
        assert allocated["duration"] > 0 and allocated["ended"] >= allocated["started"], allocated

        released = await kernel.run("del x")
        assert_close(released["delta"], -ONES_1E8_BYTES, 0.10, "delta of del x through usage_request")

        # A temporary that lives a second is seen by the readings taken while it runs
        # (one in flight at a time, every 0.1 s): the peak is sampled, never invented.
        long_temporary = await kernel.run("y = np.ones(10**8); time.sleep(1); del y")
        assert long_temporary["method"] == "usage_request_sampled"
        assert long_temporary["peak_increment"] >= 0.9 * ONES_1E8_BYTES, mib(long_temporary["peak_increment"])
        assert long_temporary["peak_increment"] <= 1.1 * ONES_1E8_BYTES, mib(long_temporary["peak_increment"])
        assert abs(long_temporary["delta"]) < 0.05 * ONES_1E8_BYTES, mib(long_temporary["delta"])

        # The allocation's own time, in the kernel, beside busy -> idle.
        msg_id = kernel.send("print(_t)")
        await kernel.wait_reply(msg_id)
        await kernel.record(msg_id)
        allocation_s = float("".join(kernel.stdout[msg_id]))
        samples = (await kernel.state())["samples"]
        assert len(samples) >= 5, samples

        # One client per kernel: the gateway counts our monitor's websocket and the test's.
        # An idle kernel is asked nothing, so the gateway sees no activity of it.
        model_url = f"{kernel_gateway['url']}/api/kernels/{kernel.kernel_id}"
        model = _gateway_get(model_url, kernel_gateway["token"])
        assert model["connections"] == 2, model
        await asyncio.sleep(5)
        later = _gateway_get(model_url, kernel_gateway["token"])
        assert later["last_activity"] == model["last_activity"], (model, later)
        print(f"\ngateway kernel (usage_request): x = np.ones(10**8) {mib(allocated['delta']):+.2f} MiB "
              f"(peak +{mib(allocated['peak_increment']):.2f}, busy to idle {allocated['duration']:.3f} s, "
              f"allocation in the kernel {allocation_s:.3f} s), del x "
              f"{mib(released['delta']):+.2f} MiB, 1 s temporary: peak +{mib(long_temporary['peak_increment']):.2f} "
              f"MiB, delta {mib(long_temporary['delta']):+.2f} MiB; kernel+children {mib(state['rss']):.1f} MiB "
              f"at start; {len(samples)} samples; gateway connections {model['connections']}")
    finally:
        kernel.ws.close()


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.parametrize("memory_usage_config", [{"usage_request_timeout_s": 1.0, "usage_request_max_unanswered": 3}])
async def test_kernel_that_never_answers_is_not_supported(jp_fetch, jp_ws_fetch, gateway_server, kernel_gateway,
                                                        no_usage_kernelspec):
    monitor = gateway_server.web_app.settings["memory_usage_monitor"]
    collected = _Collect()
    monitor.log.addHandler(collected)
    kernel = await _start(jp_fetch, jp_ws_fetch, no_usage_kernelspec)
    try:
        # The kernel itself works: it runs cells through the gateway.
        msg_id = kernel.send("1 + 1")
        assert (await kernel.wait_reply(msg_id))["content"]["status"] == "ok"
        state = await wait_state(kernel, lambda s: s["reason"] == "not_supported", "never reported not_supported", 60)
        assert "did not answer usage_request (3 requests" in state["reason_message"], state
        assert state["method"] is None and state["rss"] is None and state["pid"] is None, state
        remote = monitor.get(kernel.kernel_id).remote
        assert remote.gave_up and remote.client is None

        # Nothing more is asked, nothing is logged again, no record without figures.
        later = kernel.send("2 + 2")
        await kernel.wait_reply(later)
        await asyncio.sleep(3)
        state = await kernel.state()
        assert state["executions"] == [] and state["samples"] == [], state
        warnings = [r.getMessage() for r in collected.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 1 and "cannot be measured" in warnings[0], warnings
        # The kernel got exactly those requests, and said it knows no such message.
        unknown = kernel_gateway["log"].read_text().count("UNKNOWN CONTROL MESSAGE TYPE: 'usage_request'")
        assert unknown == 3, kernel_gateway["log"].read_text()[-3000:]
        print(f"\nkernel without usage_request: {state['reason']}: {state['reason_message']}")
    finally:
        monitor.log.removeHandler(collected)
        kernel.ws.close()


async def test_gateway_kernel_restarted_during_a_cell(jp_fetch, jp_ws_fetch, gateway_server):
    """A restart through this server ends the running cell's record as died, and the new
    process is measured from its own first reading."""
    kernel = await _start(jp_fetch, jp_ws_fetch, "python3")
    try:
        await wait_state(kernel, lambda s: s["method"] == "usage_request", "never read by usage_request", 120)
        await kernel.run("import numpy as np, time")
        held = await kernel.run("x = np.ones(10**8)")
        running = kernel.send("time.sleep(60)")
        await wait_state(kernel, lambda s: any(r["msg_id"] == running for r in s["executions"]),
                         "the sleeping cell never started", 60)
        await jp_fetch("api", "kernels", kernel.kernel_id, "restart", method="POST", body="{}")
        died = await kernel.record(running)
        assert died["status"] == "died" and died["rss_end"] >= held["rss_end"] - 16 * MIB, died
        state = await wait_state(kernel, lambda s: s["restarts"] == 1 and s["rss"] < held["rss_end"] - 600 * MIB,
                                 "the restarted kernel's memory never showed", 120)
        # The websocket of the monitor still works: the new process's cells are measured.
        await kernel.run("import numpy as np")
        again = await kernel.run("y = np.ones(10**8)")
        assert_close(again["delta"], ONES_1E8_BYTES, 0.10, "delta of y = np.ones(10**8) after the restart")
        print(f"\nrestart during a cell: {died['status']}, kernel after restart {mib(state['rss']):.1f} MiB, "
              f"then y = np.ones(10**8) {mib(again['delta']):+.2f} MiB")
    finally:
        kernel.ws.close()


# The outside path's timing (with the hook, each cell's start and end are the hook's own).
@pytest.mark.parametrize("memory_usage_config", [{"load_kernel_hook": False}])
async def test_a_cell_run_soon_after_the_one_before(jp_fetch, jp_ws_fetch, gateway_server):
    """A page that runs cells one by one sends the next about a tenth of a second after
    the last one's idle. The end figure of the first must be read before the second
    begins, or the second's allocation lands in the first and its own start: the reply
    to that reading is handled as it arrives, not at the next tick."""
    kernel = await _start(jp_fetch, jp_ws_fetch, "python3")
    try:
        await wait_state(kernel, lambda s: s["method"] == "usage_request", "never read by usage_request", 120)
        await kernel.run("import numpy as np")
        small_id = kernel.send("small = list(range(1000))")
        await kernel.wait_reply(small_id)
        await asyncio.sleep(0.15)
        large_id = kernel.send("x = np.ones(10**8)")
        await kernel.wait_reply(large_id)
        small, large = await kernel.record(small_id), await kernel.record(large_id)
        assert abs(small["delta"]) < 16 * MIB, f"the small cell took {mib(small['delta']):+.2f} MiB"
        assert_close(large["delta"], ONES_1E8_BYTES, 0.05, "delta of x = np.ones(10**8) run 0.15 s after a cell")
        assert large["rss_start"] == small["rss_end"], (small, large)
        print(f"\ncells 0.15 s apart behind a gateway: small {mib(small['delta']):+.2f} MiB, "
              f"x = np.ones(10**8) {mib(large['delta']):+.2f} MiB")
    finally:
        kernel.ws.close()


# Run All of the design's five cells, back to back: within 2% of these, in MiB.
BACK_TO_BACK = [("q1 = np.ones(10**8)", 762.94), ("q2 = q1 * 2", 762.94), ("del q1", -762.94),
                ("q3 = np.ones(5 * 10**7)", 381.47), ("del q2, q3", -1144.41)]


async def test_gateway_kernel_measured_exactly_by_its_hook(jp_fetch, jp_ws_fetch, gateway_server, kernel_gateway):
    """The hook goes to the remote kernel through its shell channel, its figures come
    back on iopub: Run All is exact, and so is a temporary of a few milliseconds."""
    kernel = await _start(jp_fetch, jp_ws_fetch, "python3")
    try:
        state = await wait_state(kernel, lambda s: s["hook"] == "active", "the hook never loaded remotely", 120)
        assert state["pid"] is None and state["method"] == "usage_request" and state["peak_reset"], state
        await kernel.run("import numpy as np, time")
        runs = []
        for _ in range(5):
            msg_ids = [kernel.send(code) for code, _ in BACK_TO_BACK]
            await kernel.wait_replies(msg_ids)
            records = [await kernel.record(msg_id) for msg_id in msg_ids]
            for (code, expected_mib), record in zip(BACK_TO_BACK, records):
                assert record["method"] == "kernel_hook_remote", record
                assert_close(record["delta"], expected_mib * MIB, 0.02, f"Run All behind the gateway: {code}")
                assert record["statements"] and record["statements"][0]["line"] == 1, record
            runs.append([round(mib(r["delta"]), 2) for r in records])

        # A temporary that lives a few milliseconds: the remote kernel's own high-water mark.
        # 40 MB: above glibc's largest mmap threshold, so new pages, not reused heap; and
        # large enough that the memory Python frees between the cell's start and the
        # allocation (up to a quarter MiB seen) stays far within 2%. It lives about 10 ms.
        timed = await kernel.run("_t = time.perf_counter(); np.ones(5 * 10**6).sum(); _t = time.perf_counter() - _t")
        msg_id = kernel.send("print(_t)")
        await kernel.wait_reply(msg_id)
        lived_s = float("".join(kernel.stdout[msg_id]))
        assert timed["method"] == "kernel_hook_remote"
        assert_close(timed["peak_increment"], 5 * 10**6 * 8, 0.02, "the peak of a temporary behind the gateway")
        assert abs(timed["delta"]) < 16 * MIB, mib(timed["delta"])

        # The hook's silent requests leave nothing in the user's namespace or history.
        msg_id = kernel.send("print(sorted(k for k in dir() if 'memory' in k.lower()), len(In))")
        await kernel.wait_reply(msg_id)
        assert "".join(kernel.stdout[msg_id]).startswith("[]"), kernel.stdout[msg_id]
        print(f"\nRun All behind a gateway, by the hook, 5 runs (MiB): {runs}; a temporary of "
              f"{lived_s * 1000:.1f} ms: peak +{mib(timed['peak_increment']):.2f} MiB")
    finally:
        kernel.ws.close()



async def test_the_gateway_restarted_under_a_running_server(jp_fetch, jp_ws_fetch, gateway_server, kernel_gateway):
    """The gateway goes away with a cell running, and comes back: that cell ends as
    `died` for `connection_lost` (its end was never seen), the lost kernel's client
    keeps trying without a flood, and a kernel started on the new gateway is measured
    exactly again."""
    monitor = gateway_server.web_app.settings["memory_usage_monitor"]
    kernel = await _start(jp_fetch, jp_ws_fetch, "python3")
    try:
        await wait_state(kernel, lambda s: s["hook"] == "active", "the hook never loaded remotely", 120)
        await kernel.run("import numpy as np, time")
        before = await kernel.run("x = np.ones(10**7)")
        assert before["method"] == "kernel_hook_remote"
        running = kernel.send("time.sleep(60)")
        await wait_state(kernel, lambda s: any(r["msg_id"] == running for r in s["executions"]),
                         "the sleeping cell never started", 60)
        await asyncio.get_running_loop().run_in_executor(None, kernel_gateway["restart"])
        lost = await kernel.record(running, timeout=60)
        assert lost["status"] == "died" and lost["died_reason"] == "connection_lost", lost
        assert lost["rss_end"] is not None, lost
        remote = monitor.get(kernel.kernel_id).remote
        assert remote.client is None and not remote.gave_up, "lost, not given up"
    finally:
        kernel.ws.close()

    again = await _start(jp_fetch, jp_ws_fetch, "python3")
    try:
        await wait_state(again, lambda s: s["hook"] == "active", "no hook in a kernel of the new gateway", 120)
        await again.run("import numpy as np")
        measured = await again.run("y = np.ones(10**8)")
        assert measured["method"] == "kernel_hook_remote", measured
        assert_close(measured["delta"], ONES_1E8_BYTES, 0.02, "y = np.ones(10**8) on the restarted gateway")
        print(f"\ngateway restarted: the running cell {lost['status']} ({lost['died_reason']}); a new kernel's "
              f"y = np.ones(10**8) {mib(measured['delta']):+.2f} MiB")
    finally:
        again.ws.close()


async def test_a_dropped_websocket_is_opened_again(jp_fetch, jp_ws_fetch, gateway_server):
    """The gateway drops our client's websocket (the kernel lives on): the client is
    opened again, and the kernel's next cells are measured by its hook as before."""
    monitor = gateway_server.web_app.settings["memory_usage_monitor"]
    kernel = await _start(jp_fetch, jp_ws_fetch, "python3")
    try:
        await wait_state(kernel, lambda s: s["hook"] == "active", "the hook never loaded remotely", 120)
        await kernel.run("import numpy as np")
        remote = monitor.get(kernel.kernel_id).remote
        dropped = remote.client
        dropped.channel_socket.close()  # as a proxy or the gateway closing it
        deadline = time.monotonic() + 30
        while remote.client is None or remote.client is dropped:
            assert time.monotonic() < deadline, "the client was never opened again"
            await asyncio.sleep(0.1)
        measured = await kernel.run("z = np.ones(10**8)")
        assert measured["method"] == "kernel_hook_remote", measured
        assert_close(measured["delta"], ONES_1E8_BYTES, 0.02, "z = np.ones(10**8) after the websocket was reopened")
        assert (await kernel.state())["restarts"] == 0
        print(f"\nwebsocket dropped and reopened: z = np.ones(10**8) {mib(measured['delta']):+.2f} MiB")
    finally:
        kernel.ws.close()


async def test_a_gateway_kernel_that_dies_in_a_cell(jp_fetch, jp_ws_fetch, gateway_server):
    """The kernel's process exits in a cell, and the gateway's restarter brings up a new
    one: the cell ends `died`, and the new process gets the hook."""
    kernel = await _start(jp_fetch, jp_ws_fetch, "python3")
    try:
        first = await wait_state(kernel, lambda s: s["hook"] == "active", "the hook never loaded remotely", 120)
        dying = kernel.send("import os; os._exit(1)")
        # As JupyterLab does: a kernel that dies at once can take its busy with it (seen
        # 1 run in 6), and then the one cell annotated and never seen to start is the one.
        body = json.dumps({"msg_id": dying, "cell_id": "cell-dies", "notebook_path": "dies.ipynb"})
        await jp_fetch("api", "memory-usage", "kernels", kernel.kernel_id, "executions", method="POST", body=body)
        died = await kernel.record(dying, timeout=120)
        assert died["status"] == "died" and died["cell_id"] == "cell-dies", died
        state = await wait_state(kernel, lambda s: s["restarts"] >= 1 and s["hook"] == "active",
                                 "no hook in the restarted process", 120)
        assert state["rss"] is not None and first["restarts"] == 0, state
        again = await kernel.run("import numpy as np; y = np.ones(10**8)")
        assert again["method"] == "kernel_hook_remote", again
        print(f"\na gateway kernel that exits in a cell: {died['status']} ({died['died_reason']}); after its "
              f"restart y = np.ones(10**8) {mib(again['delta']):+.2f} MiB")
    finally:
        kernel.ws.close()
