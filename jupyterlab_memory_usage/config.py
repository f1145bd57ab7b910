"""Server-side settings, on one ``MemoryUsage`` configurable.

Set them in ``jupyter_server_config.py`` (``c.MemoryUsage.busy_sample_interval_s = 0.05``)
or on the command line (``--MemoryUsage.max_executions=1000``).
"""

import os

from jupyter_core.paths import jupyter_data_dir
from traitlets import Bool, Float, Int, Unicode, default
from traitlets.config import Configurable


class MemoryUsage(Configurable):
    enabled = Bool(
        True,
        help="Measure the memory of this server's kernels. When False the routes answer "
        "with an empty list and no kernel is watched.",
    ).tag(config=True)

    busy_sample_interval_s = Float(
        0.1,
        min=0.01,
        help="Seconds between two readings of a busy kernel's resident memory where the "
        "cell's peak is the largest of them (no high-water mark: no /proc, clear_refs not "
        "writable, a remote kernel). Also the period of the monitor's tick.",
    ).tag(config=True)

    live_sample_interval_s = Float(
        0.3,
        min=0.01,
        help="Seconds between two readings of a busy kernel whose peak comes from its "
        "high-water mark (the hook's, or the server's reset of it): these readings only "
        "give the live figures and the timeline, so they can be sparser than "
        "busy_sample_interval_s, which applies where the peak is the largest reading.",
    ).tag(config=True)

    idle_sample_interval_s = Float(
        2.0,
        min=0.1,
        help="Seconds between two readings of an idle kernel's resident memory.",
    ).tag(config=True)

    max_executions = Int(
        5000,
        min=10,
        help="Execution records kept per kernel; the oldest are dropped first.",
    ).tag(config=True)

    max_samples = Int(
        20000,
        min=100,
        help="Memory samples kept per kernel; the oldest are dropped first.",
    ).tag(config=True)

    max_pending_annotations = Int(
        1000,
        min=10,
        help="Cell annotations kept per kernel while waiting for their execution to start.",
    ).tag(config=True)

    max_statements_per_cell = Int(
        100,
        min=1,
        max=1000,
        help="Per-statement figures kept for one execution (IPython kernels with the hook): "
        "the statements beyond them are summed into the last entry. Applies to kernels "
        "started after a change.",
    ).tag(config=True)

    reset_peak = Bool(
        True,
        help="Reset the kernel's high-water mark (VmHWM, through /proc/PID/clear_refs) at "
        "the start of every execution, so that each execution's peak is exact. When False, "
        "or where the reset is not possible, the peak is the largest sample.",
    ).tag(config=True)

    load_kernel_hook = Bool(
        True,
        help="Load the in-kernel hook into every IPython kernel, which pins each cell's "
        "exact start and end. When False every kernel is measured from outside.",
    ).tag(config=True)

    hook_load_timeout_s = Float(
        30.0,
        min=1.0,
        help="Seconds to wait for a new kernel to load the in-kernel hook before it is "
        "measured from outside.",
    ).tag(config=True)

    heap_mode_after_restart = Bool(
        False,
        help="Turn heap mode (tracemalloc in the kernel) back on by itself after a kernel "
        "restart, when it was on before. A restarted kernel is a new process that starts "
        "without tracing; when False, heap mode stays off until turned on again.",
    ).tag(config=True)

    heap_mode_frames = Int(
        1,
        min=1,
        max=25,
        help="Frames tracemalloc keeps of each allocation in heap mode. With 1, a cell's "
        "heap_top names the innermost line that allocated (NumPy's own, for an array); with "
        "more, the notebook line nearest to it, at about three times the cost per allocation.",
    ).tag(config=True)

    count_children = Bool(
        False,
        help="Add the resident memory of the kernel's child processes (all descendants) "
        "to each execution's rss_start, rss_end and rss_peak. The children are read from "
        "outside: at the start, the last reading before the cell began (the previous "
        "execution's end, or the periodic scan); at the end, a scan when the server handles "
        "the cell's idle; the peak adds the largest children reading seen during the cell "
        "to the kernel's own peak, so a child that lived between two scans is missed. In "
        "'Run All' a child's memory can land on a neighbouring cell. Each scan walks the "
        "process table on the server's event loop (a millisecond or two). The kernel's "
        "rss, the samples and children_rss stay apart either way.",
    ).tag(config=True)

    share_activity_stream = Bool(
        True,
        help="Read each kernel's iopub messages through jupyter_server's own activity "
        "stream (our handler runs after the server's), rather than through a socket of this "
        "extension's that receives and parses every message a second time. Falls back to "
        "a socket of its own where that stream cannot be used.",
    ).tag(config=True)

    force_psutil_probe = Bool(
        False,
        help="Read kernel processes through psutil even where /proc exists. For testing "
        "the behaviour of systems without /proc (macOS, Windows) on Linux: no high-water "
        "mark, so every peak is the largest sample (method outside_sampled).",
    ).tag(config=True)

    usage_request_timeout_s = Float(
        10.0,
        min=0.5,
        help="Kernels without a local process (a gateway's) are read through their "
        "usage_request on the control channel. Seconds to wait for one usage_reply before "
        "asking again; ipykernel answers in milliseconds, up to about a second late while "
        "a cell holds the GIL in C code.",
    ).tag(config=True)

    remote_idle_sample_interval_s = Float(
        0.0,
        min=0.0,
        help="Seconds between two usage_requests to an idle kernel without a local process; "
        "0 (the default) asks an idle kernel nothing, its memory being the last execution's "
        "end figure. A gateway counts every usage_request as activity of the kernel, so any "
        "interval shorter than its cull_idle_timeout keeps it from culling idle kernels.",
    ).tag(config=True)

    usage_request_max_unanswered = Int(
        3,
        min=1,
        help="Unanswered usage_requests after which a kernel without a local process that "
        "has never answered one is reported as not_supported, and no more are sent.",
    ).tag(config=True)

    children_sample_interval_s = Float(
        5.0,
        min=0.5,
        help="Seconds between two readings of the kernel's child processes (a scan of "
        "the process table, done off the server's event loop).",
    ).tag(config=True)

    oom_fraction = Float(
        0.9,
        min=0.0,
        max=1.0,
        help="A kernel killed by SIGKILL during an execution is reported as out of "
        "memory when its last resident memory or peak was at least this fraction of its "
        "limit, even where the cgroup keeps no oom_kill count (a growth of that count "
        "says so by itself). Below it, a SIGKILL is reported as killed.",
    ).tag(config=True)

    limit_refresh_interval_s = Float(
        30.0,
        min=1.0,
        help="Seconds between two readings of each kernel's memory limit and oom_kill "
        "count (cgroup files, read off the server's event loop): a cgroup's limit can be "
        "changed while the kernel runs.",
    ).tag(config=True)

    variables_budget_s = Float(
        0.2,
        min=0.01,
        max=10.0,
        help="Seconds an IPython kernel may spend sizing its variables for the Variables "
        "list (in the kernel, while it is idle: a cell sent meanwhile waits). What is not "
        "sized in time is listed without a size, and the answer says it is incomplete.",
    ).tag(config=True)

    persist_records = Bool(
        True,
        help="Keep finished execution records of notebook cells in an SQLite database, so "
        "that a notebook reopened after a reload, a server restart or a day away shows "
        "its last runs, marked as from an earlier session.",
    ).tag(config=True)

    database_path = Unicode(
        help="The SQLite file for persisted records. Default: memory_usage/records.sqlite3 "
        "in Jupyter's data directory. A corrupt or locked file is set aside and a new one started.",
    ).tag(config=True)

    @default("database_path")
    def _database_path_default(self) -> str:
        return os.path.join(jupyter_data_dir(), "memory_usage", "records.sqlite3")

    retention_days = Float(
        30.0,
        min=0.0,
        help="Days a persisted record is kept.",
    ).tag(config=True)

    max_persisted_records = Int(
        100_000,
        min=100,
        help="Persisted records kept in all; the oldest are dropped first.",
    ).tag(config=True)
