"""The SQLite record database on real files: keeping, retention, and broken files."""

import logging
import os
import sqlite3
import time

import pytest

from ..persistence import RecordDatabase


def record(msg_id, cell_id="c1", path="work/a.ipynb", ended=None, delta=1):
    return {"msg_id": msg_id, "cell_id": cell_id, "notebook_path": path,
            "ended": time.time() if ended is None else ended, "delta": delta, "status": "ok"}


@pytest.fixture
def database(tmp_path):
    db = RecordDatabase(str(tmp_path / "memory_usage" / "records.sqlite3"), retention_days=30,
                        max_records=1000, log=logging.getLogger("test"))
    yield db
    db.close()


def test_runs_are_kept_per_notebook_and_cell(database):
    now = time.time()
    for i in range(8):
        database.save(record(f"m{i}", cell_id="c1", ended=now + i)).result()
    database.save(record("other", cell_id="c2", ended=now)).result()
    database.save(record("elsewhere", path="b.ipynb")).result()
    runs = database.runs_of_notebook("work/a.ipynb", runs_per_cell=3).result()
    assert sorted(r["msg_id"] for r in runs) == ["m5", "m6", "m7", "other"]
    assert [r["delta"] for r in runs if r["cell_id"] == "c1"] == [1, 1, 1]


def test_records_survive_a_new_database_object(tmp_path, database):
    database.save(record("kept", delta=800000000)).result()
    database.close()
    again = RecordDatabase(database.path, 30, 1000, logging.getLogger("test"))
    try:
        (run,) = again.runs_of_notebook("work/a.ipynb").result()
        assert run["delta"] == 800000000
    finally:
        again.close()


def test_retention_by_age_and_by_count(tmp_path):
    db = RecordDatabase(str(tmp_path / "r.sqlite3"), retention_days=1, max_records=5, log=logging.getLogger("t"))
    try:
        db.save(record("old", ended=time.time() - 2 * 86400)).result()
        for i in range(7):
            db.save(record(f"new{i}", cell_id=f"c{i}", ended=time.time() + i)).result()
        db.close()
        db = RecordDatabase(db.path, retention_days=1, max_records=5, log=logging.getLogger("t"))  # prunes
        kept = sorted(r["msg_id"] for r in db.runs_of_notebook("work/a.ipynb").result())
        assert kept == ["new2", "new3", "new4", "new5", "new6"]
    finally:
        db.close()


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_the_database_and_its_wal_files_are_private(tmp_path, umask):
    path = tmp_path / "records.sqlite3"
    (tmp_path / "records.sqlite3-wal").write_bytes(b"")  # as an older version may have left it
    os.chmod(tmp_path / "records.sqlite3-wal", 0o644)
    old = os.umask(umask)
    try:
        db = RecordDatabase(str(path), 30, 1000, logging.getLogger("private"))
        try:
            db.save(record("private")).result()
            modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
        finally:
            db.close()
    finally:
        os.umask(old)
    assert {"records.sqlite3", "records.sqlite3-wal", "records.sqlite3-shm"} <= set(modes), modes
    assert set(modes.values()) == {0o600}, {k: oct(v) for k, v in modes.items()}


def test_a_corrupt_file_is_set_aside(tmp_path, caplog):
    path = tmp_path / "records.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    db = RecordDatabase(str(path), 30, 1000, logging.getLogger("corrupt"))
    try:
        with caplog.at_level(logging.WARNING):
            db.save(record("after")).result()
        assert [r["msg_id"] for r in db.runs_of_notebook("work/a.ipynb").result()] == ["after"]
        aside = [p for p in os.listdir(tmp_path) if p.startswith("records.sqlite3.broken-")]
        assert aside and (tmp_path / aside[0]).read_bytes().startswith(b"this is not a database")
        assert "could not be used" in caplog.text
    finally:
        db.close()


def test_a_locked_file_is_set_aside(tmp_path, caplog):
    path = tmp_path / "records.sqlite3"
    holder = sqlite3.connect(str(path), isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    db = RecordDatabase(str(path), 30, 1000, logging.getLogger("locked"))
    try:
        with caplog.at_level(logging.WARNING):
            db.save(record("despite-the-lock")).result()
        assert [r["msg_id"] for r in db.runs_of_notebook("work/a.ipynb").result()] == ["despite-the-lock"]
        assert "could not be used" in caplog.text
    finally:
        holder.close()
        db.close()
