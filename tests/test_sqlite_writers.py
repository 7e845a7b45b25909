"""SQLite writers queue on the file lock beside the database, and read-only transactions take no write lock."""

from __future__ import annotations

import resource
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from objections import READ_ONLY
from objections.extensions import db
from objections.sqlite_writers import QueuedWriterConnection
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="checks SQLite itself")


def _connect(path: Path) -> QueuedWriterConnection:
    connection = sqlite3.connect(path, factory=QueuedWriterConnection, isolation_level=None, check_same_thread=False)
    assert isinstance(connection, QueuedWriterConnection)
    return connection


def test_a_second_writer_waits_for_the_first_to_commit_then_goes_at_once(tmp_path: Path) -> None:
    first, second = _connect(tmp_path / "q.db"), _connect(tmp_path / "q.db")
    assert first.wait_for_write_turn(1.0)
    got_turn = threading.Event()

    def wait() -> None:
        if second.wait_for_write_turn(5.0):
            got_turn.set()

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.05)
    assert not got_turn.is_set()  # queued behind the first writer
    first.execute("BEGIN IMMEDIATE")
    first.commit()
    assert got_turn.wait(0.5)
    waiter.join()
    second.rollback()
    first.close()
    second.close()


# pytest-timeout's default method arms SIGALRM itself, and a writer then leaves the alarm alone and polls: these
# tests time themselves with a thread, so that the main thread's wait is the one a gunicorn worker has.
@pytest.mark.timeout(60, method="thread")
def test_a_writer_that_waits_past_the_timeout_goes_on_without_its_turn(tmp_path: Path) -> None:
    first, second = _connect(tmp_path / "q.db"), _connect(tmp_path / "q.db")
    assert first.wait_for_write_turn(1.0)
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL

    started = time.monotonic()
    assert second.wait_for_write_turn(0.05) is False
    assert time.monotonic() - started < 1.0

    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL  # the alarm that ended the wait is put away
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)

    first.close()  # closing lets the turn go too
    assert second.wait_for_write_turn(0.5)
    second.close()


@pytest.mark.timeout(60, method="thread")
def test_in_the_main_thread_a_writer_sleeps_until_the_turn_is_let_go(tmp_path: Path) -> None:
    """A gunicorn sync worker waits in the kernel, not in a polling loop, and goes the moment the holder commits."""
    holder, waiter = _connect(tmp_path / "q.db"), _connect(tmp_path / "q.db")
    held = threading.Event()

    def hold_then_commit() -> None:
        assert holder.wait_for_write_turn(1.0)
        holder.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(0.2)
        holder.commit()

    thread = threading.Thread(target=hold_then_commit)
    thread.start()
    assert held.wait(1.0)
    started, switches = time.monotonic(), resource.getrusage(resource.RUSAGE_THREAD).ru_nvcsw
    assert waiter.wait_for_write_turn(5.0)
    waited = time.monotonic() - started
    wakeups = resource.getrusage(resource.RUSAGE_THREAD).ru_nvcsw - switches
    thread.join()
    assert 0.1 < waited < 2.0  # it waited for the commit, and not for its 5 s limit
    assert wakeups < 10  # one sleep in the kernel; polling at 1 ms steps would wake about 200 times
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL
    waiter.rollback()
    holder.close()
    waiter.close()


def test_the_app_begins_writes_in_turn_and_read_only_transactions_without_the_lock(app: Flask) -> None:
    path = db.engine.url.database
    db.session.execute(text("SELECT 1"))  # an ordinary transaction: BEGIN IMMEDIATE, after taking the turn
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    db.session.rollback()

    db.session.connection(execution_options={READ_ONLY: True})
    db.session.execute(text("SELECT count(*) FROM objections"))
    other.execute("BEGIN IMMEDIATE")  # the reader holds no write lock
    other.execute("ROLLBACK")
    db.session.rollback()
    other.close()
