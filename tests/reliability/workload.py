"""Load for the reliability tests: filings through the API from many client threads, and work split over forked
processes that each build the app on the same database."""

from __future__ import annotations

import http.client
import multiprocessing
import os
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from objections.models import Objection, ObjectionEvent
from tests.builders import VALID_IINS, make_notice, make_organization
from tests.live_server import Reply, request

FILING_ENDPOINT = "/api/v1/objections"

# RELIABILITY_FULL=1 (bench/bench_reliability.py sets it) runs the sizes RELIABILITY.md gives; `make test` runs
# the smaller sizes each test names beside its full one.
FULL = os.environ.get("RELIABILITY_FULL", "") == "1"
R10_EXAMPLES = 500  # RELIABILITY.md R10: examples per form and endpoint


def fuzz_examples(small: int) -> int:
    """Hypothesis examples for an R10 fuzz test: `small` in `make test`, R10's 500 at full size."""
    return R10_EXAMPLES if FULL else small


def size(in_suite: int, full: int) -> int:
    return full if FULL else in_suite


def require_route(app: Flask, method: str, rule: str) -> None:
    """Skip, naming what is missing, when the app has no `method rule` yet."""
    for candidate in app.url_map.iter_rules():
        if candidate.rule == rule and method in (candidate.methods or ()):
            return
    pytest.skip(f"the app has no {method} {rule} endpoint yet, so this HTTP variant cannot run")


def seed_organisation(session: Session) -> str:
    """An organisation with a published notice, committed so that the server's workers see it; returns its slug."""
    organization = make_organization(session)
    make_notice(session, organization)
    slug = organization.slug
    session.commit()  # and touch nothing loaded before it: on SQLite a new transaction takes the write lock
    return slug


def filing_payload(slug: str, n: int) -> dict[str, Any]:
    return {
        "organization": slug,
        "notice": "scoring",
        "full_name": f"Subject {n}",
        "iin": VALID_IINS[n % len(VALID_IINS)],
        "email": f"subject{n}@example.kz",
        "language": ("kk", "ru", "en")[n % 3],
        "grounds": f"Objection number {n}: the automated decision ignored my income.",
        "remedies": ["human_review"],
        "consent": True,
    }


@dataclass(frozen=True)
class Outcome:
    """One request's result: a reply, or the connection error that took its place."""

    n: int
    reply: Reply | None
    error: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.reply is not None and 200 <= self.reply.status < 300

    @property
    def reference(self) -> str | None:
        return self.reply.body.get("reference") if self.acknowledged and isinstance(self.reply.body, dict) else None


def file_concurrently(
    base_url: str,
    slug: str,
    *,
    count: int,
    clients: int,
    keys: list[str] | None = None,
    after_each: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """POST `count` filings from `clients` threads; `keys[n]` is sent as the Idempotency-Key of filing n.
    `after_each(done)` runs after every completed request (to kill a worker at a given point, say)."""
    done = 0
    lock = threading.Lock()

    def one(n: int) -> Outcome:
        nonlocal done
        headers = {"Idempotency-Key": keys[n]} if keys else {}
        try:
            outcome = Outcome(n, request(base_url, "POST", FILING_ENDPOINT, filing_payload(slug, n), headers))
        except (OSError, http.client.HTTPException) as exc:  # a killed worker drops the connection, even mid-answer
            outcome = Outcome(n, None, f"{type(exc).__name__}: {exc}")
        with lock:
            done += 1
            finished = done
        if after_each is not None:
            after_each(finished)
        return outcome

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(one, range(count)))


def new_keys(count: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(count)]


def run_in_processes(function: Callable[..., Any], arguments: Iterable[tuple]) -> list[Any]:
    """Run `function(*args)` for each tuple in its own forked process, all at once; their results in order.
    Each process builds its own app (and engine) from the database URL it is given."""
    arguments = list(arguments)
    context = multiprocessing.get_context("fork")
    with context.Pool(len(arguments)) as pool:
        return pool.starmap(function, arguments)


def stored_references(session: Session) -> list[str]:
    session.rollback()
    return list(session.scalars(select(Objection.reference)))


def objections_without_their_received_event(session: Session) -> int:
    """Objections whose first timeline entry is missing: what a half-written filing would leave."""
    received = select(ObjectionEvent.objection_id).where(ObjectionEvent.kind == "received")
    return session.scalar(select(func.count()).select_from(Objection).where(Objection.id.not_in(received))) or 0
