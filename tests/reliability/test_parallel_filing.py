"""R1: N parallel filings make N objections with N distinct references, through the API under gunicorn -w 4 and
through the intake service from four processes filing in step; a naive "count + 1" reference loses filings under
the same load.
Sizes in `make test`: R1 400 filings from 32 clients (as RELIABILITY.md), the 20-client proof 100 (1,000 in
bench), the process variants 4 x 60 (4 x 100 in bench)."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from multiprocessing.synchronize import Barrier
from pathlib import Path
from types import SimpleNamespace

import pytest

from objections import create_app
from objections.extensions import db
from objections.services import intake
from tests.builders import VALID_IINS, objection_input
from tests.conftest import FROZEN_NOW, app_config
from tests.reliability.workload import (
    FILING_ENDPOINT,
    file_concurrently,
    objections_without_their_received_event,
    require_route,
    run_in_processes,
    seed_organisation,
    size,
    stored_references,
)

pytestmark = pytest.mark.reliability

PROCESSES = 4
PER_PROCESS = size(60, 100)
TROUBLE = ("database is locked", "IntegrityError", "UniqueViolation", "Traceback")


def naive_reference() -> str:
    """The generator the app must not use: count the objections, add one. The count is read outside the filing's
    transaction (a plain read, which waits for no writer), as a form that numbers a filing before saving it would."""
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT count(*) FROM objections")
        count = cursor.fetchone()[0]
        cursor.close()
    finally:
        connection.close()
    return f"OB-{FROZEN_NOW.year}-{count + 1:06d}"


# All processes start each filing together: a round of PROCESSES filings submitted at the same instant. Set before the
# processes fork, which inherit it.
_together: Barrier | None = None


def file_in_process(database_url: str, folder: str, slug: str, first: int, count: int, naive: bool):  # type: ignore[no-untyped-def]
    """One process: build the app on the shared database and file `count` objections, one transaction each, in step
    with the other processes."""
    assert _together is not None
    app = create_app(app_config(Path(folder), database_url))
    references: list[str] = []
    errors: list[str] = []
    organization = SimpleNamespace(slug=slug)
    with app.app_context():
        for n in range(first, first + count):
            try:
                if naive:
                    reference = naive_reference()
                    intake.next_reference = lambda _session, _year, reference=reference: reference
                _together.wait()
                data = objection_input(organization, iin=VALID_IINS[n % len(VALID_IINS)], email=f"s{n}@example.kz")
                filed = intake.file_objection(db.session, data, channel="web", now=FROZEN_NOW, policy="calendar_days")
                filed_reference = filed.objection.reference  # read before the commit expires it: a reload after it
                db.session.commit()  # would open a transaction, and on SQLite hold the write lock through the wait
                references.append(filed_reference)
            except Exception as exc:  # noqa: BLE001 - every failure is counted as a lost filing
                db.session.rollback()
                errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
            _together.wait()  # the round is over: every filing of it is committed or refused
        db.session.remove()
        db.engine.dispose()
    return references, errors


def file_from_processes(session, database_url: str, tmp_path: Path, *, naive: bool):  # type: ignore[no-untyped-def]
    global _together
    slug = seed_organisation(session)
    _together = multiprocessing.get_context("fork").Barrier(PROCESSES, timeout=60)
    try:
        results = run_in_processes(
            file_in_process,
            [
                (database_url, str(tmp_path / f"p{i}"), slug, i * PER_PROCESS, PER_PROCESS, naive)
                for i in range(PROCESSES)
            ],
        )
    finally:
        _together = None
    references = [reference for done, _ in results for reference in done]
    errors = [error for _, failed in results for error in failed]
    return references, errors


def test_r1_filings_from_four_processes_all_land_with_distinct_references(session, database_url, tmp_path) -> None:
    references, errors = file_from_processes(session, database_url, tmp_path, naive=False)

    assert errors == []
    assert len(references) == PROCESSES * PER_PROCESS
    assert len(set(references)) == PROCESSES * PER_PROCESS
    stored = stored_references(session)
    assert len(stored) == PROCESSES * PER_PROCESS
    assert set(stored) == set(references)
    assert objections_without_their_received_event(session) == 0


def test_negative_control_a_count_plus_one_reference_loses_filings_under_the_same_load(
    session, database_url, tmp_path, request
) -> None:
    references, errors = file_from_processes(session, database_url, tmp_path, naive=True)

    stored = stored_references(session)
    lost = PROCESSES * PER_PROCESS - len(stored)
    request.node.user_properties.append(("lost_filings", f"{lost} of {PROCESSES * PER_PROCESS}"))
    # Each round's filings read the same count: one lands, the others collide on the reference.
    assert lost >= (PROCESSES - 1) * PER_PROCESS // 2, "the naive generator should have lost filings: R1 could not fail"
    assert len(errors) == lost
    assert all("IntegrityError" in error for error in errors), Counter(errors).most_common(3)
    assert len(set(references)) == len(references) == len(stored)


def check_every_filing_landed(session, outcomes, server) -> None:  # type: ignore[no-untyped-def]
    statuses = Counter(outcome.reply.status if outcome.reply else outcome.error for outcome in outcomes)
    assert statuses == {201: len(outcomes)}
    references = [outcome.reference for outcome in outcomes]
    assert len(set(references)) == len(outcomes)
    stored = stored_references(session)
    assert len(stored) == len(outcomes)
    assert set(stored) == set(references)
    assert objections_without_their_received_event(session) == 0
    log = server.log()
    assert [line for line in log.splitlines() if any(word in line for word in TROUBLE)] == []


def test_r1_400_parallel_api_filings_under_gunicorn_make_400_objections(app, session, live_server) -> None:
    require_route(app, "POST", FILING_ENDPOINT)
    slug = seed_organisation(session)

    outcomes = file_concurrently(live_server.url, slug, count=400, clients=32)

    check_every_filing_landed(session, outcomes, live_server)


def test_twenty_clients_filing_through_the_api_give_exactly_as_many_cases_and_references(
    app, session, live_server
) -> None:
    require_route(app, "POST", FILING_ENDPOINT)
    slug = seed_organisation(session)

    outcomes = file_concurrently(live_server.url, slug, count=size(100, 1000), clients=20)

    check_every_filing_landed(session, outcomes, live_server)
