"""R12: acknowledged means durable. During R1's load a gunicorn worker is killed with SIGKILL, then the whole server
is killed and started again; every filing answered 2xx is in the database, whole, exactly once, and the SQLite file
passes its integrity check. Clients resend with their Idempotency-Key when the connection drops, as a careful
integration would. 160 filings from 32 clients in `make test`, 400 (as RELIABILITY.md) in bench."""

from __future__ import annotations

import http.client
import sqlite3
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import make_url

from tests.live_server import Reply, request
from tests.reliability.workload import (
    FILING_ENDPOINT,
    filing_payload,
    new_keys,
    objections_without_their_received_event,
    require_route,
    seed_organisation,
    size,
    stored_references,
)

pytestmark = pytest.mark.reliability

FILINGS = size(160, 400)
CLIENTS = 32
RESEND_FOR_SECONDS = 60.0


def test_r12_every_acknowledged_filing_survives_killed_workers_and_a_killed_server(
    app, session, live_server, database_url
) -> None:
    require_route(app, "POST", FILING_ENDPOINT)
    slug = seed_organisation(session)
    keys = new_keys(FILINGS)
    acknowledged = 0
    dropped = 0
    lock = threading.Lock()
    disrupting = threading.Lock()
    killed_worker = threading.Event()
    restarted = threading.Event()

    def disrupt_when_due() -> None:
        if not disrupting.acquire(blocking=False):
            return
        try:
            if acknowledged >= FILINGS // 4 and not killed_worker.is_set():
                live_server.kill_worker()
                killed_worker.set()
            elif acknowledged >= FILINGS // 2 and not restarted.is_set():
                live_server.restart()  # SIGKILL to the master and every worker, then a fresh start, same port
                restarted.set()
        finally:
            disrupting.release()

    def file(n: int) -> Reply:
        nonlocal acknowledged, dropped
        give_up = time.monotonic() + RESEND_FOR_SECONDS
        while True:
            try:
                reply = request(
                    live_server.url, "POST", FILING_ENDPOINT, filing_payload(slug, n), {"Idempotency-Key": keys[n]}
                )
                break
            except (OSError, http.client.HTTPException):  # killed before or while the answer was sent
                with lock:
                    dropped += 1
                if time.monotonic() > give_up:
                    raise
                time.sleep(0.05)  # the server is coming back: resend the same request with the same key
        with lock:
            acknowledged += 200 <= reply.status < 300
        disrupt_when_due()
        return reply

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        replies = list(pool.map(file, range(FILINGS)))

    assert killed_worker.is_set() and restarted.is_set()
    assert dropped > 0, "no request was cut off: the disruption did not hit the load"
    assert Counter(reply.status for reply in replies) == {201: FILINGS}
    references = [reply.body["reference"] for reply in replies]
    stored = stored_references(session)
    assert set(references) <= set(stored), "an acknowledged filing is missing"
    assert len(stored) == len(set(stored)) == FILINGS, "a resent filing was stored twice"
    assert objections_without_their_received_event(session) == 0
    assert "database is locked" not in live_server.log()
    session.rollback()
    live_server.stop()
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database) as check:
            assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
