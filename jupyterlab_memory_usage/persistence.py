"""Finished execution records kept in SQLite, so a notebook reopened after a reload, a
server restart or a day away still shows what its cells cost.

Records are keyed by notebook path and cell id. The database lives in Jupyter's data
directory; every query runs on one worker thread, never on the server's event loop. A
corrupt or locked file is set aside with a warning and a new one started: losing the
history must never cost the server.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS executions (
    msg_id TEXT PRIMARY KEY,
    notebook_path TEXT NOT NULL,
    cell_id TEXT NOT NULL,
    ended REAL NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS executions_by_cell ON executions (notebook_path, cell_id, ended);
CREATE INDEX IF NOT EXISTS executions_by_age ON executions (ended);
"""


def _make_private(path: str) -> None:
    """The database holds the user's cells' paths and figures: readable by its owner
    only (0600) whatever the umask, like Jupyter's runtime files. SQLite creates the
    -wal and -shm files with the database's own mode."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return  # not writable: SQLite says why, and the file is set aside
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    for suffix in ("-wal", "-shm"):
        try:
            os.chmod(path + suffix, 0o600)  # left by an older version, or another umask
        except FileNotFoundError:
            pass


class RecordDatabase:
    def __init__(self, path: str, retention_days: float, max_records: int,
                 log: logging.Logger | logging.LoggerAdapter):
        self.path = path
        self.retention_days = retention_days
        self.max_records = max_records
        self.log = log
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="memory-usage-db")
        self._connection: sqlite3.Connection | None = None
        self._writes_since_prune = 0
        self._closed = False

    # ----- called from the event loop: each returns a Future --------------------------

    def save(self, record: dict[str, Any]) -> Future:
        return self._executor.submit(self._guarded, self._save, record)

    def runs_of_notebook(self, notebook_path: str, runs_per_cell: int = 5) -> Future:
        return self._executor.submit(self._guarded, self._runs_of_notebook, notebook_path, runs_per_cell)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._executor.submit(self._close)
        self._executor.shutdown(wait=True)

    # ----- on the worker thread ---------------------------------------------------------

    def _guarded(self, work, *args):
        """Run a query; on a broken database set the file aside and retry once."""
        for attempt in (1, 2):
            try:
                return work(self._db(), *args)
            except sqlite3.DatabaseError as e:  # corrupt, not a database, locked, read-only
                if attempt == 2:
                    self.log.warning("memory-usage: record database unusable, history not kept: %s", e)
                    return None
                self._set_aside(e)
        return None

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            _make_private(self.path)
            connection = sqlite3.connect(self.path, timeout=2.0, isolation_level=None)
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.executescript(_SCHEMA)
                connection.execute("SELECT count(*) FROM executions").fetchone()
            except sqlite3.DatabaseError:
                connection.close()
                raise
            self._connection = connection
            self._prune(connection)
        return self._connection

    def _set_aside(self, error: Exception) -> None:
        self._close()
        aside = f"{self.path}.broken-{time.strftime('%Y%m%d-%H%M%S')}"
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.path + suffix):
                try:
                    os.replace(self.path + suffix, aside + suffix)
                except OSError:
                    pass
        self.log.warning("memory-usage: the record database %s could not be used (%s); it was moved to %s "
                         "and a new one started", self.path, error, aside)

    def _close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except sqlite3.Error:
                pass
            self._connection = None

    def _save(self, db: sqlite3.Connection, record: dict[str, Any]) -> None:
        db.execute(
            "INSERT OR REPLACE INTO executions (msg_id, notebook_path, cell_id, ended, record) VALUES (?, ?, ?, ?, ?)",
            (record["msg_id"], record["notebook_path"], record["cell_id"], record["ended"] or time.time(),
             json.dumps(record)),
        )
        self._writes_since_prune += 1
        if self._writes_since_prune >= 500:
            self._prune(db)

    def _runs_of_notebook(self, db: sqlite3.Connection, notebook_path: str, runs_per_cell: int) -> list[dict]:
        rows = db.execute(
            """SELECT record FROM (
                   SELECT record, ended, ROW_NUMBER() OVER (PARTITION BY cell_id ORDER BY ended DESC) AS n
                   FROM executions WHERE notebook_path = ?)
               WHERE n <= ? ORDER BY ended""",
            (notebook_path, runs_per_cell),
        ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def _prune(self, db: sqlite3.Connection | None = None) -> None:
        db = db or self._db()
        self._writes_since_prune = 0
        db.execute("DELETE FROM executions WHERE ended < ?", (time.time() - self.retention_days * 86400,))
        db.execute(
            "DELETE FROM executions WHERE msg_id IN (SELECT msg_id FROM executions ORDER BY ended DESC LIMIT -1 OFFSET ?)",
            (self.max_records,),
        )
