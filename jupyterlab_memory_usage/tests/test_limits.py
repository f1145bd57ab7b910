"""limits.py readers on real files laid out like /proc and /sys/fs/cgroup, and the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..limits import (
    MemoryCgroup,
    MemoryLimit,
    available_memory_bytes,
    cgroup_v1_limit_bytes,
    cgroup_v1_oom_kill_count,
    cgroup_v2_limit_bytes,
    cgroup_v2_oom_kill_count,
    limit_of,
    memory_cgroups,
    oom_kill_count,
    OomKillReader,
    oom_kill_file,
    physical_memory_bytes,
    read_oom_kill_count,
)
from ..store import DIED, OK, ExecutionRecord, KernelHistory

def memory_limit(pid="self", proc_root="/proc", cgroup_root="/sys/fs/cgroup"):
    """The tightest limit of a process, as the process watcher reads it."""
    return limit_of(memory_cgroups(pid, proc_root, cgroup_root), proc_root)


GIB = 2**30
PID = 4242
MEMINFO = """MemTotal:       16384000 kB
MemFree:         1024000 kB
MemAvailable:    8192000 kB
Buffers:           10000 kB
"""
# What cgroup v1 writes for "no limit": 2**63 rounded down to a page.
V1_UNLIMITED = "9223372036854771712"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def roots(tmp_path):
    proc, cgroup = tmp_path / "proc", tmp_path / "cgroup"
    write(proc / "meminfo", MEMINFO)
    cgroup.mkdir()
    return proc, cgroup


def set_cgroup(proc: Path, text: str, pid: int | str = PID) -> None:
    write(proc / str(pid) / "cgroup", text)


# ----- /proc/meminfo ------------------------------------------------------------


def test_meminfo(roots):
    proc, _ = roots
    assert physical_memory_bytes(str(proc)) == 16384000 * 1024
    assert available_memory_bytes(str(proc)) == 8192000 * 1024


def test_meminfo_absent_or_without_the_line(tmp_path):
    assert physical_memory_bytes(str(tmp_path)) is None
    assert available_memory_bytes(str(tmp_path)) is None
    write(tmp_path / "meminfo", "MemTotal:       1000 kB\n")
    assert physical_memory_bytes(str(tmp_path)) == 1000 * 1024
    assert available_memory_bytes(str(tmp_path)) is None


# ----- cgroup v2 ----------------------------------------------------------------


def test_v2_leaf_limit(roots):
    _, cgroup = roots
    write(cgroup / "user.slice" / "app" / "memory.max", "1073741824\n")
    assert cgroup_v2_limit_bytes(str(cgroup), "/user.slice/app") == GIB


def test_v2_max_means_no_limit(roots):
    _, cgroup = roots
    write(cgroup / "user.slice" / "app" / "memory.max", "max\n")
    write(cgroup / "user.slice" / "memory.max", "max\n")
    assert cgroup_v2_limit_bytes(str(cgroup), "/user.slice/app") is None


def test_v2_tighter_ancestor_wins(roots):
    _, cgroup = roots
    write(cgroup / "a" / "memory.max", str(2 * GIB))
    write(cgroup / "a" / "b" / "memory.max", "max")
    write(cgroup / "a" / "b" / "c" / "memory.max", str(4 * GIB))
    assert cgroup_v2_limit_bytes(str(cgroup), "/a/b/c") == 2 * GIB


def test_v2_tighter_leaf_wins(roots):
    _, cgroup = roots
    write(cgroup / "a" / "memory.max", str(4 * GIB))
    write(cgroup / "a" / "b" / "memory.max", str(GIB))
    assert cgroup_v2_limit_bytes(str(cgroup), "/a/b") == GIB


def test_v2_root_of_a_namespaced_container(roots):
    # With a cgroup namespace, /proc/PID/cgroup says "0::/" and the container's own
    # limit is memory.max at the mount's root.
    _, cgroup = roots
    write(cgroup / "memory.max", str(3 * GIB))
    assert cgroup_v2_limit_bytes(str(cgroup), "/") == 3 * GIB


def test_v2_absent_files(roots):
    _, cgroup = roots
    assert cgroup_v2_limit_bytes(str(cgroup), "/nowhere/at/all") is None


# ----- cgroup v1 ----------------------------------------------------------------


def test_v1_limit(roots):
    _, cgroup = roots
    write(cgroup / "memory" / "docker" / "abc" / "memory.limit_in_bytes", f"{GIB}\n")
    assert cgroup_v1_limit_bytes(str(cgroup / "memory"), "/docker/abc") == GIB


def test_v1_huge_value_means_no_limit(roots):
    _, cgroup = roots
    write(cgroup / "memory" / "docker" / "abc" / "memory.limit_in_bytes", V1_UNLIMITED + "\n")
    assert cgroup_v1_limit_bytes(str(cgroup / "memory"), "/docker/abc") is None


def test_v1_container_sees_its_cgroup_at_the_mount_root(roots):
    # Without a cgroup namespace, /proc/PID/cgroup names the host's path, which the
    # container's mount does not have: its own limit sits at the mount's root.
    _, cgroup = roots
    write(cgroup / "memory" / "memory.limit_in_bytes", str(2 * GIB))
    assert cgroup_v1_limit_bytes(str(cgroup / "memory"), "/docker/abc") == 2 * GIB


def test_v1_tighter_ancestor_wins(roots):
    # v1 limits are hierarchical too: a limited slice holds its unlimited sessions.
    _, cgroup = roots
    write(cgroup / "memory" / "user.slice" / "memory.limit_in_bytes", str(2 * GIB))
    write(cgroup / "memory" / "user.slice" / "session-1.scope" / "memory.limit_in_bytes", V1_UNLIMITED)
    assert cgroup_v1_limit_bytes(str(cgroup / "memory"), "/user.slice/session-1.scope") == 2 * GIB
    write(cgroup / "memory" / "user.slice" / "session-1.scope" / "memory.limit_in_bytes", str(GIB))
    assert cgroup_v1_limit_bytes(str(cgroup / "memory"), "/user.slice/session-1.scope") == GIB


def test_v1_absent_files(roots):
    _, cgroup = roots
    assert cgroup_v1_limit_bytes(str(cgroup / "memory"), "/docker/abc") is None


def test_v1_nested_below_an_unlimited_parent(roots):
    # As on this machine: the server's own cgroup sits in /process_api/<id>, both
    # unlimited, and a kernel's cgroup is made below it. The path in /proc/PID/cgroup
    # is relative to the memory hierarchy's mount, not to /sys/fs/cgroup.
    proc, cgroup = roots
    memory = cgroup / "memory"
    write(memory / "memory.limit_in_bytes", V1_UNLIMITED)
    write(memory / "process_api" / "memory.limit_in_bytes", V1_UNLIMITED)
    write(memory / "process_api" / "88b6" / "memory.limit_in_bytes", V1_UNLIMITED)
    write(memory / "process_api" / "88b6" / "kernel-1" / "memory.limit_in_bytes", str(GIB))
    set_cgroup(proc, "9:name=systemd:/\n4:memory:/process_api/88b6/kernel-1\n1:cpu:/\n0::/\n")
    assert memory_limit(PID, str(proc), str(cgroup)) == MemoryLimit(GIB, "cgroup_v1")
    assert memory_cgroups(PID, str(proc), str(cgroup)) == [
        MemoryCgroup("cgroup_v2", str(cgroup), "/"),
        MemoryCgroup("cgroup_v1", str(memory), "/process_api/88b6/kernel-1"),
    ]


# ----- oom_kill counts --------------------------------------------------------------

V2_EVENTS = "low 0\nhigh 12\nmax 40\noom 3\noom_kill 2\noom_group_kill 0\n"
V1_OOM_CONTROL = "oom_kill_disable 0\nunder_oom 0\noom_kill 5\n"


def test_v2_oom_kill_count(roots):
    _, cgroup = roots
    write(cgroup / "user.slice" / "app" / "memory.events", V2_EVENTS)
    # The parent's own count is larger (it counts all its children): the kernel's
    # cgroup is the one read.
    write(cgroup / "user.slice" / "memory.events", V2_EVENTS.replace("oom_kill 2", "oom_kill 9"))
    assert cgroup_v2_oom_kill_count(str(cgroup), "/user.slice/app") == 2


def test_v2_oom_kill_count_of_a_container_at_the_mount_root(roots):
    _, cgroup = roots
    write(cgroup / "memory.events", V2_EVENTS)
    assert cgroup_v2_oom_kill_count(str(cgroup), "/docker/abc") == 2


def test_v2_oom_kill_count_absent(roots):
    _, cgroup = roots
    assert cgroup_v2_oom_kill_count(str(cgroup), "/user.slice/app") is None
    # "oom_kill" must be the whole key: "oom_group_kill" is another count.
    write(cgroup / "user.slice" / "app" / "memory.events", "oom 1\noom_group_kill 4\n")
    assert cgroup_v2_oom_kill_count(str(cgroup), "/user.slice/app") is None


def test_v1_oom_kill_count(roots):
    _, cgroup = roots
    write(cgroup / "memory" / "process_api" / "88b6" / "kernel-1" / "memory.oom_control", V1_OOM_CONTROL)
    write(cgroup / "memory" / "memory.oom_control", V1_OOM_CONTROL.replace("oom_kill 5", "oom_kill 0"))
    assert cgroup_v1_oom_kill_count(str(cgroup / "memory"), "/process_api/88b6/kernel-1") == 5


def test_v1_oom_kill_count_absent_or_from_an_old_kernel(roots):
    _, cgroup = roots
    assert cgroup_v1_oom_kill_count(str(cgroup / "memory"), "/docker/abc") is None
    # Before Linux 4.13 memory.oom_control had no oom_kill line.
    write(cgroup / "memory" / "docker" / "abc" / "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n")
    assert cgroup_v1_oom_kill_count(str(cgroup / "memory"), "/docker/abc") is None


def test_oom_kill_count_from_whichever_hierarchy_has_memory(roots):
    proc, cgroup = roots
    set_cgroup(proc, "4:memory:/job\n0::/job\n")
    cgroups = memory_cgroups(PID, str(proc), str(cgroup))
    assert oom_kill_count(cgroups) is None
    write(cgroup / "memory" / "job" / "memory.oom_control", V1_OOM_CONTROL)
    assert oom_kill_count(cgroups) == 5
    write(cgroup / "job" / "memory.events", V2_EVENTS)
    assert oom_kill_count(cgroups) == 2
    assert oom_kill_count([]) is None


def test_oom_kill_file_found_once_then_read_alone(roots):
    """The monitor finds the file once per limit refresh and reads only it at each
    execution: the same file and count as the walk up the hierarchy."""
    proc, cgroup = roots
    set_cgroup(proc, "4:memory:/job/kernel-1\n0::/job/kernel-1\n")
    cgroups = memory_cgroups(PID, str(proc), str(cgroup))
    assert oom_kill_file(cgroups) is None
    # v1 at an ancestor only (a container seeing its own cgroup at the root).
    write(cgroup / "memory" / "job" / "memory.oom_control", V1_OOM_CONTROL)
    path = oom_kill_file(cgroups)
    assert path == str(cgroup / "memory" / "job" / "memory.oom_control")
    assert read_oom_kill_count(path) == oom_kill_count(cgroups) == 5
    write(cgroup / "memory" / "job" / "memory.oom_control", V1_OOM_CONTROL.replace("oom_kill 5", "oom_kill 6"))
    assert read_oom_kill_count(path) == 6
    # A v2 file without an oom_kill line (an old kernel) is passed over; one with it wins.
    write(cgroup / "job" / "memory.events", "oom 1\n")
    assert oom_kill_file(cgroups) == path
    write(cgroup / "job" / "kernel-1" / "memory.events", V2_EVENTS)
    assert oom_kill_file(cgroups) == str(cgroup / "job" / "kernel-1" / "memory.events")
    assert read_oom_kill_count(str(cgroup / "gone" / "memory.events")) is None
    # The reader keeps its descriptor: it sees the count change, and a removed file
    # reads as no count.
    reader = OomKillReader(str(cgroup / "job" / "kernel-1" / "memory.events"))
    assert reader.read() == 2
    write(cgroup / "job" / "kernel-1" / "memory.events", V2_EVENTS.replace("oom_kill 2", "oom_kill 3"))
    assert reader.read() == 3
    reader.close()
    assert OomKillReader(str(cgroup / "gone" / "memory.events")).read() is None


def test_cgroups_outlive_the_process(roots):
    # The monitor keeps a kernel's cgroups: once the kernel has exited its
    # /proc/PID/cgroup is gone, and the oom_kill count is read after the death.
    proc, cgroup = roots
    set_cgroup(proc, "4:memory:/job\n")
    write(cgroup / "memory" / "job" / "memory.oom_control", V1_OOM_CONTROL)
    write(cgroup / "memory" / "job" / "memory.limit_in_bytes", str(GIB))
    cgroups = memory_cgroups(PID, str(proc), str(cgroup))
    (proc / str(PID) / "cgroup").unlink()
    assert memory_cgroups(PID, str(proc), str(cgroup)) == []
    write(cgroup / "memory" / "job" / "memory.oom_control", V1_OOM_CONTROL.replace("oom_kill 5", "oom_kill 6"))
    assert oom_kill_count(cgroups) == 6
    assert limit_of(cgroups, str(proc)) == MemoryLimit(GIB, "cgroup_v1")
    assert limit_of([], str(proc)) == MemoryLimit(16384000 * 1024, "physical")


# ----- memory_limit: the tightest, with its source --------------------------------


def test_physical_when_no_cgroup_limit(roots):
    proc, cgroup = roots
    set_cgroup(proc, "0::/user.slice/app\n")
    write(cgroup / "user.slice" / "app" / "memory.max", "max")
    assert memory_limit(PID, str(proc), str(cgroup)) == MemoryLimit(16384000 * 1024, "physical")


def test_physical_when_the_cgroup_file_is_absent(roots):
    proc, cgroup = roots
    assert memory_limit(PID, str(proc), str(cgroup)) == MemoryLimit(16384000 * 1024, "physical")


def test_v2_limit_below_physical(roots):
    proc, cgroup = roots
    set_cgroup(proc, "0::/user.slice/app\n")
    write(cgroup / "user.slice" / "memory.max", str(2 * GIB))
    write(cgroup / "user.slice" / "app" / "memory.max", "max")
    assert memory_limit(PID, str(proc), str(cgroup)) == MemoryLimit(2 * GIB, "cgroup_v2")


def test_v2_limit_above_physical_is_not_the_limit(roots):
    proc, cgroup = roots
    set_cgroup(proc, "0::/big\n")
    write(cgroup / "big" / "memory.max", str(64 * GIB))
    assert memory_limit(PID, str(proc), str(cgroup)) == MemoryLimit(16384000 * 1024, "physical")


def test_v1_limit_below_physical(roots):
    proc, cgroup = roots
    set_cgroup(proc, "12:pids:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/docker/abc\n")
    write(cgroup / "memory" / "docker" / "abc" / "memory.limit_in_bytes", str(3 * GIB))
    assert memory_limit(PID, str(proc), str(cgroup)) == MemoryLimit(3 * GIB, "cgroup_v1")


def test_v1_combined_controllers(roots):
    proc, cgroup = roots
    set_cgroup(proc, "5:cpuacct,memory:/job\n")
    write(cgroup / "memory" / "job" / "memory.limit_in_bytes", str(GIB))
    assert memory_limit(PID, str(proc), str(cgroup)) == MemoryLimit(GIB, "cgroup_v1")


def test_v1_unlimited(roots):
    proc, cgroup = roots
    set_cgroup(proc, "4:memory:/docker/abc\n")
    write(cgroup / "memory" / "docker" / "abc" / "memory.limit_in_bytes", V1_UNLIMITED)
    assert memory_limit(PID, str(proc), str(cgroup)).source == "physical"


def test_hybrid_picks_the_tightest(roots):
    proc, cgroup = roots
    set_cgroup(proc, "4:memory:/job\n0::/job\n")
    write(cgroup / "job" / "memory.max", str(2 * GIB))
    write(cgroup / "memory" / "job" / "memory.limit_in_bytes", str(GIB))
    assert memory_limit(PID, str(proc), str(cgroup)) == MemoryLimit(GIB, "cgroup_v1")
    write(cgroup / "job" / "memory.max", str(GIB // 2))
    assert memory_limit(PID, str(proc), str(cgroup)) == MemoryLimit(GIB // 2, "cgroup_v2")


def test_self(roots):
    proc, cgroup = roots
    set_cgroup(proc, "0::/\n", pid="self")
    write(cgroup / "memory.max", str(GIB))
    assert memory_limit("self", str(proc), str(cgroup)) == MemoryLimit(GIB, "cgroup_v2")


def test_nothing_readable(tmp_path):
    assert memory_limit(PID, str(tmp_path / "proc"), str(tmp_path / "cgroup")) is None


def test_this_machine():
    limit = memory_limit()
    assert limit is not None and limit.limit_bytes > 0
    assert limit.limit_bytes <= physical_memory_bytes()
    if Path("/sys/fs/cgroup/memory/memory.oom_control").exists():  # cgroup v1, as here
        assert oom_kill_count(memory_cgroups()) >= 0


# ----- store ----------------------------------------------------------------------


def finished(history: KernelHistory, msg_id: str, status: str = OK) -> ExecutionRecord:
    record = ExecutionRecord(msg_id=msg_id, status=status)
    history.touch(record)
    return record


def test_records_are_bounded_oldest_first():
    history = KernelHistory(max_executions=3, max_samples=100)
    for i in range(5):
        finished(history, f"m{i}")
    assert [r.msg_id for r in history.records()] == ["m2", "m3", "m4"]
    assert history.get("m0") is None and history.get("m4") is not None
    assert [r.msg_id for r in history.records_since(0)] == ["m2", "m3", "m4"]


def test_samples_are_bounded_oldest_first():
    history = KernelHistory(max_executions=10, max_samples=4)
    for i in range(6):
        history.add_sample(float(i), 1000 + i)
    assert [s.rss for s in history.samples()] == [1002, 1003, 1004, 1005]
    assert [s.rss for s in history.samples_since(0)] == [1002, 1003, 1004, 1005]


def test_since_gives_exactly_what_changed():
    history = KernelHistory(max_executions=10, max_samples=10)
    assert history.records_since(0) == [] and history.samples_since(0) == []
    a = finished(history, "a")
    s1 = history.add_sample(1.0, 100)
    b = finished(history, "b")
    s2 = history.add_sample(2.0, 200)
    assert [a.seq, s1.seq, b.seq, s2.seq] == [1, 2, 3, 4] and history.seq == 4
    assert [r.msg_id for r in history.records_since(0)] == ["a", "b"]
    assert [r.msg_id for r in history.records_since(a.seq)] == ["b"]
    assert [r.msg_id for r in history.records_since(s1.seq)] == ["b"]
    assert history.records_since(b.seq) == []
    assert [s.rss for s in history.samples_since(s1.seq)] == [200]
    assert history.samples_since(history.seq) == []
    assert history.records_since(history.seq + 100) == []


def test_an_updated_record_moves_after_newer_ones():
    history = KernelHistory(max_executions=10, max_samples=10)
    running = ExecutionRecord(msg_id="long")
    history.touch(running)
    finished(history, "short")
    seen = history.seq
    running.status, running.rss_end = DIED, 123
    history.touch(running)
    assert running.seq == seen + 1
    assert [r.msg_id for r in history.records()] == ["short", "long"]
    assert [r.msg_id for r in history.records_since(seen)] == ["long"]
    assert [r.msg_id for r in history.records_since(0)] == ["short", "long"]
    assert history.get("long").status == DIED


def test_a_touched_record_is_not_dropped_as_oldest():
    history = KernelHistory(max_executions=2, max_samples=100)
    first = finished(history, "first")
    finished(history, "second")
    history.touch(first)
    finished(history, "third")
    assert [r.msg_id for r in history.records()] == ["first", "third"]


def test_max_sample_and_last_sample_before():
    history = KernelHistory(max_executions=10, max_samples=10)
    for t, rss in [(1.0, 10), (2.0, 50), (3.0, 20), (4.0, 5)]:
        history.add_sample(t, rss)
    assert history.last_sample_before(2.5).rss == 50
    assert history.last_sample_before(0.5) is None
    assert history.max_sample_rss_between(2.5, 4.0) == 20
    assert history.max_sample_rss_between(1.0, 3.0) == 50
    assert history.max_sample_rss_between(5.0, 6.0) is None
