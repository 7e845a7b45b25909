"""R2: a filing POSTed twice at once with the same Idempotency-Key (a double click, a retry) is filed once, and both
answers name the same reference. 100 submissions in `make test`, as RELIABILITY.md."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live_server import request
from tests.reliability.workload import (
    FILING_ENDPOINT,
    filing_payload,
    new_keys,
    objections_without_their_received_event,
    require_route,
    seed_organisation,
    stored_references,
)

pytestmark = pytest.mark.reliability

SUBMISSIONS = 100
CLIENTS = 32


def test_r2_each_submission_posted_twice_at_once_is_filed_once(app, session, live_server) -> None:
    require_route(app, "POST", FILING_ENDPOINT)
    slug = seed_organisation(session)
    keys = new_keys(SUBMISSIONS)
    together = [threading.Barrier(2, timeout=10) for _ in range(SUBMISSIONS)]

    def post(task: int):  # type: ignore[no-untyped-def]
        n = task // 2
        # Both copies leave at the same moment; when the twin is queued behind other clients, send anyway.
        with contextlib.suppress(threading.BrokenBarrierError):
            together[n].wait()
        return n, request(
            live_server.url, "POST", FILING_ENDPOINT, filing_payload(slug, n), {"Idempotency-Key": keys[n]}
        )

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        replies = list(pool.map(post, range(2 * SUBMISSIONS)))

    assert Counter(reply.status for _, reply in replies) == {201: 2 * SUBMISSIONS}
    by_submission: dict[int, set[tuple[str, str]]] = {}
    for n, reply in replies:
        by_submission.setdefault(n, set()).add((reply.body["reference"], reply.body["access_code"]))
    assert all(len(answers) == 1 for answers in by_submission.values()), "twins were answered differently"
    stored = stored_references(session)
    assert len(stored) == SUBMISSIONS
    assert set(stored) == {next(iter(answers))[0] for answers in by_submission.values()}
    assert objections_without_their_received_event(session) == 0
    assert "Traceback" not in live_server.log()
