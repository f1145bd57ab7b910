"""Server configuration for the Galata test against a kernel gateway
(playwright.gateway.config.js): every kernel of this server runs in the Jupyter Kernel
Gateway that the same config starts on 127.0.0.1:8897.

!! Never use this configuration in production: like jupyter_server_test_config.py it
turns off the server's authentication and exposes JupyterLab's objects to the page.
"""
import atexit
import os
import shutil
import tempfile

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

c.ServerApp.port = 8898  # noqa: F821 - 8888 is the main suite's
c.ServerApp.allow_root = True  # noqa: F821 - CI containers often run as root
c.GatewayClient.url = os.environ["MEMORY_USAGE_GATEWAY_URL"]  # noqa: F821
c.GatewayClient.auth_token = os.environ["MEMORY_USAGE_GATEWAY_TOKEN"]  # noqa: F821

# Records of this server only (see jupyter_server_test_config.py).
_records_dir = tempfile.mkdtemp(prefix="jlmu-galata-gateway-records-")
atexit.register(shutil.rmtree, _records_dir, True)
c.MemoryUsage.database_path = os.path.join(_records_dir, "records.sqlite3")  # noqa: F821
