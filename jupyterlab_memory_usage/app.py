"""The server extension: one MemoryMonitor for the server's kernel manager, and its routes."""

from __future__ import annotations

from jupyter_server.extension.application import ExtensionApp

from .config import MemoryUsage
from .scheduler import KERNEL_ACTIONS_SCHEMA, MemoryMonitor
from .routes import route_handlers


class MemoryUsageApp(ExtensionApp):
    name = "jupyterlab_memory_usage"
    load_other_extensions = True

    def initialize_settings(self) -> None:
        config = MemoryUsage(parent=self.serverapp)
        self.monitor = MemoryMonitor(self.serverapp.kernel_manager, config, self.log,
                                     force_psutil=config.force_psutil_probe)
        self.settings["memory_usage_monitor"] = self.monitor
        event_logger = getattr(self.serverapp, "event_logger", None)
        if event_logger is not None:
            event_logger.add_listener(schema_id=KERNEL_ACTIONS_SCHEMA, listener=self.monitor.on_kernel_action)
        # Started here rather than in _start_jupyter_server_extension: the tick only
        # needs the IOLoop, which exists by now, and hosts that never call the start
        # hook (such as test fixtures) must still be measured.
        self.monitor.start()

    def initialize_handlers(self) -> None:
        # Absolute patterns: ExtensionApp prefixes base_url itself, so pass "/".
        self.handlers.extend(route_handlers("/"))

    async def stop_extension(self) -> None:
        self.monitor.stop()
