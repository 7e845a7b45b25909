"""SQLite writers wait their turn on an advisory file lock beside the database before they take its write lock.

SQLite lets one transaction write at a time. A connection that finds the write lock taken retries from its busy
handler, which sleeps between tries in growing steps (1, 2, 5, 10 … 100 ms): under a steady stream of short write
transactions from several processes, the waiters sleep while the lock stands free, and a request can wait seconds.
Here a writer first takes an exclusive `flock` on `<database>-writers`, and only then issues BEGIN IMMEDIATE, so
writers follow each other as soon as the previous one commits. In a process's main thread (a gunicorn sync worker,
the CLI) the writer sleeps in the kernel until the lock is let go, with a SIGALRM timer as its time
limit, and costs no CPU while it waits; other threads poll at sub-millisecond steps. The lock is let go
after the COMMIT or ROLLBACK (or when the connection closes, or its process dies: the kernel drops it). A writer
that cannot get its turn within the busy timeout goes on without it, to SQLite's own busy handling, so nothing
waits longer than before and a writer outside the app (the sqlite3 shell, a backup) is never waited for forever.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import sqlite3
import threading
import time
from typing import Any

# Polling steps while another writer holds the turn: short, since a filing's write transaction lasts a few ms.
_STEPS = (0.0002, 0.0005, 0.001)


class _TurnTimedOut(Exception):
    """Raised by the SIGALRM handler while a writer sleeps on the lock."""


_sleeping = [False]  # set only while the main thread sleeps in flock: an alarm at any other moment is ignored


def _time_out(_signum: int, _frame: object) -> None:
    if _sleeping[0]:
        raise _TurnTimedOut


def _may_use_alarm() -> bool:
    """SIGALRM can time a blocking wait only in the main thread, and only when nobody else uses it."""
    return (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN)
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )


class QueuedWriterConnection(sqlite3.Connection):
    """A sqlite3 connection (pass as `factory`) whose write transactions queue on `<database>-writers`."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        path = os.fspath(database) if not isinstance(database, bytes) else database.decode()
        in_memory = path in ("", ":memory:") or path.startswith("file:") or "mode=memory" in path
        self._lock_path = None if in_memory else f"{path}-writers"
        self._lock_fd: int | None = None
        self._holding = False

    def wait_for_write_turn(self, timeout: float) -> bool:
        """Take the writers' lock, waiting up to `timeout` seconds; False (and no lock) when it did not come."""
        if self._lock_path is None or self._holding:
            return self._holding
        if self._lock_fd is None:
            self._lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        if self._try_lock():
            return True
        return self._sleep_for_turn(timeout) if _may_use_alarm() else self._poll_for_turn(timeout)

    def _try_lock(self) -> bool:
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[arg-type]
        except BlockingIOError:
            return False
        self._holding = True
        return True

    def _sleep_for_turn(self, timeout: float) -> bool:
        """Block in flock until the holder lets go, or until SIGALRM ends the wait after `timeout` seconds."""
        previous = signal.signal(signal.SIGALRM, _time_out)
        try:
            _sleeping[0] = True
            signal.setitimer(signal.ITIMER_REAL, max(timeout, 0.001))
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX)  # type: ignore[arg-type]
            finally:
                _sleeping[0] = False
                signal.setitimer(signal.ITIMER_REAL, 0)
        except _TurnTimedOut:
            pass  # the time is up, or the alarm came just as the lock was granted: the try below tells which
        finally:
            signal.signal(signal.SIGALRM, previous)  # the timer is disarmed first, so no alarm finds the default
        # flock on a descriptor that already holds the lock succeeds at once.
        return self._try_lock()

    def _poll_for_turn(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        tries = 0
        while not self._try_lock():
            if time.monotonic() >= deadline:
                return False
            time.sleep(_STEPS[min(tries, len(_STEPS) - 1)])
            tries += 1
        return True

    def end_write_turn(self) -> None:
        if self._holding and self._lock_fd is not None:
            self._holding = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_write_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_write_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.end_write_turn()
            if self._lock_fd is not None:
                with contextlib.suppress(OSError):
                    os.close(self._lock_fd)
                self._lock_fd = None
