"""Server configuration for the installed-wheel check (playwright.wheel.config.js).

!! Never use this configuration in production: like jupyter_server_test_config.py it
turns off the server's authentication and exposes JupyterLab's objects to the page.
"""
import atexit
import os
import shutil
import tempfile

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

c.ServerApp.port = 8899  # noqa: F821 - 8888 and 8898 are the other suites'
c.ServerApp.allow_root = True  # noqa: F821 - CI containers often run as root
c.KernelManager.transport = "ipc"  # noqa: F821 - see jupyter_server_test_config.py

_records_dir = tempfile.mkdtemp(prefix="jlmu-wheel-records-")
atexit.register(shutil.rmtree, _records_dir, True)
c.MemoryUsage.database_path = os.path.join(_records_dir, "records.sqlite3")  # noqa: F821
