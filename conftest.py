import shutil
import tempfile
from pathlib import Path

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture
def jp_runtime_dir():
    """A short runtime folder: kernels' IPC sockets are made in it, and a Unix socket's
    path may not exceed 107 bytes (pytest's tmp_path alone can be longer)."""
    path = Path(tempfile.mkdtemp(prefix="jlmu-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def jp_server_config(jp_server_config):
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_memory_usage": True},
            # Test against a server which requires authentication on all endpoints.
            "allow_unauthenticated_access": False,
        },
        # Kernels on Unix sockets, never on TCP ports: a port picked as free and bound by
        # the kernel a second later can be taken meanwhile by any outgoing connection
        # (the ephemeral range is shared), and the kernel then hangs in ipykernel's bind.
        # test_tcp_transport.py covers TCP with ports that cannot collide.
        "KernelManager": {"transport": "ipc"},
    }
