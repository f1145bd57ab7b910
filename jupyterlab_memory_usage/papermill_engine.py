"""``papermill --engine memory_usage in.ipynb out.ipynb``: papermill's own nbclient run,
with each code cell's memory measured by the kernel hook and written into its metadata
(``memory_usage``), as ``jupyter memory-usage execute`` does (``headless.py``)."""

from __future__ import annotations

from typing import Any

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine
from papermill.log import logger

from .headless import MemoryUsageRecorder


class MemoryUsagePapermillClient(MemoryUsageRecorder, PapermillNotebookClient):
    """papermill's client (its progress, its saving after each cell), recording memory."""

    memory_usage_runner = "papermill"


class MemoryUsageEngine(NBClientEngine):
    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                 stdout_file: Any = None, stderr_file: Any = None, start_timeout: int = 60,
                                 execution_timeout: int | None = None, **kwargs: Any) -> Any:
        # papermill passes the client's options under its own names: the input path is
        # not one, and the timeouts are renamed.
        options = {k: v for k, v in kwargs.items() if k not in ("input_path", "timeout", "startup_timeout")}
        options.update(timeout=execution_timeout or kwargs.get("timeout"), startup_timeout=start_timeout,
                       kernel_name=kernel_name, log=logger, log_output=log_output, stdout_file=stdout_file,
                       stderr_file=stderr_file)
        return MemoryUsagePapermillClient(nb_man, **options).execute()
