"""jupyterlab-memory-usage: the memory each notebook cell costs, measured exactly.

This module stays light: kernels may import ``jupyterlab_memory_usage.kernel_hook``
and must not pay for jupyter_server on the way.
"""

try:
    from ._version import __version__
except ImportError:
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-memory-usage"}]


def _jupyter_server_extension_points():
    from .app import MemoryUsageApp

    return [{"module": "jupyterlab_memory_usage", "app": MemoryUsageApp}]


def load_ipython_extension(shell):
    """``%load_ext jupyterlab_memory_usage``: the seed's line after every command."""
    from .ipython_line import load_ipython_extension as load

    load(shell)


def unload_ipython_extension(shell):
    from .ipython_line import unload_ipython_extension as unload

    unload(shell)
