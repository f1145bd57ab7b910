"""Server configuration for integration tests.

!! Never use this configuration in production because it
opens the server to the world and provide access to JupyterLab
JavaScript objects through the global window variable.
"""
import atexit
import json
import shutil
import os
import sys
import tempfile
import uuid
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

# CI containers often run as root.
c.ServerApp.allow_root = True

# A kernel spec whose kernels live in a 1 GiB memory cgroup, for the out-of-memory test:
# made with the same helpers as the pytest one, where memory cgroups can be made (root).
MEMORY_LIMITED_KERNEL = "python3-memory-limited"
try:
    from jupyterlab_memory_usage.tests.test_out_of_memory import (
        LAUNCHER,
        make_memory_cgroup,
        remove_cgroup,
    )

    # playwright.config.js puts this folder first on JUPYTER_PATH for the server; the
    # kernel spec manager has read that variable before this file runs.
    data_dir = Path(os.environ.get("JUPYTER_PATH", "").split(os.pathsep)[0] or tempfile.mkdtemp())
    spec_dir = data_dir / "kernels" / MEMORY_LIMITED_KERNEL
    if spec_dir.exists():
        shutil.rmtree(spec_dir)
    # Cgroups of earlier runs whose server was killed before its atexit ran.
    for stale in Path("/sys/fs/cgroup/memory").glob("**/jlmu-galata-*"):
        try:
            remove_cgroup(stale)
        except OSError:
            pass
    cgroup, _source = make_memory_cgroup(f"jlmu-galata-{uuid.uuid4().hex[:8]}", 2**30)
    atexit.register(remove_cgroup, cgroup)
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", LAUNCHER, str(cgroup / "cgroup.procs"), "-f", "{connection_file}"],
        "display_name": "Python 3 with a 1 GiB memory limit",
        "language": "python",
    }))
except (ImportError, OSError, RuntimeError) as e:  # no memory cgroups here: the test skips
    print(f"[jupyter_server_test_config] no memory-limited kernel: {e}")

# Kernels on Unix sockets (in the runtime folder playwright.config.js gives), never on
# TCP ports: a port picked as free can be taken by an outgoing connection before the
# kernel binds it, and the kernel then hangs (see the pytest conftest.py).
c.KernelManager.transport = "ipc"  # noqa: F821

# Uncomment to set server log level to debug level
# c.ServerApp.log_level = "DEBUG"

# Records of this server only: an earlier test run's records of the same notebook path
# and cell ids would otherwise show as "earlier session" badges.
_records_dir = tempfile.mkdtemp(prefix="jlmu-galata-records-")
atexit.register(shutil.rmtree, _records_dir, True)
c.MemoryUsage.database_path = os.path.join(_records_dir, "records.sqlite3")  # noqa: F821

# bash_kernel's spec (a test dependency), for a kernel that has no memory hook: written
# beside the memory-limited one, where playwright.config.js points JUPYTER_PATH.
try:
    from bash_kernel.install import kernel_json as _bash_kernel_json

    _bash_dir = Path(os.environ["JUPYTER_PATH"].split(os.pathsep)[0]) / "kernels" / "bash"
    _bash_dir.mkdir(parents=True, exist_ok=True)
    (_bash_dir / "kernel.json").write_text(json.dumps({
        **_bash_kernel_json, "argv": [sys.executable, "-m", "bash_kernel", "-f", "{connection_file}"]}))
except (ImportError, KeyError, OSError) as e:  # the test that needs it fails, saying so
    print(f"[jupyter_server_test_config] no bash kernel: {e}")
