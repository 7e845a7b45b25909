"""A reading of a case and a change to it, at the same moment, both land on the case's chain in turn."""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.extensions import db
from objections.models import Objection, ObjectionEvent, User
from objections.services import access_log
from objections.services.audit_verify import verify_all
from objections.services.events import append_event
from tests.builders import make_objection, make_organization, make_user


def test_a_change_appended_while_a_reading_is_uncommitted_waits_its_turn_instead_of_failing(session, now) -> None:
    organization = make_organization(session)
    case = make_objection(session, organization=organization, received_at=now)
    supervisor = make_user(session, role="supervisor")
    operator = make_user(session, organization=organization)
    case_id, supervisor_id, operator_id = case.id, supervisor.id, operator.id
    session.commit()  # and then left alone: on SQLite even its reads would take the write lock

    reader = Session(bind=db.engine, expire_on_commit=False)
    writer = Session(bind=db.engine, expire_on_commit=False)
    failures: list[BaseException] = []

    def change() -> None:
        try:
            objection = writer.get(Objection, case_id)
            append_event(writer, objection, "assigned", now=now, actor=writer.get(User, operator_id))
            writer.commit()
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            failures.append(exc)
            writer.rollback()

    try:
        objection = reader.get(Objection, case_id)
        access_log.record_view(reader, objection, actor=reader.get(User, supervisor_id), via="supervisor", now=now)
        # The reading's entry is written but not committed: the change starts now, from another connection.
        thread = threading.Thread(target=change)
        thread.start()
        thread.join(timeout=1)  # it waits (on PostgreSQL for the case's chain, on SQLite for the write lock)
        reader.commit()
        thread.join(timeout=30)
        assert not thread.is_alive()
    finally:
        reader.close()
        writer.close()

    assert failures == []
    session.expire_all()
    kinds = session.scalars(
        select(ObjectionEvent.kind).where(ObjectionEvent.objection_id == case_id).order_by(ObjectionEvent.seq)
    ).all()
    assert kinds[-2:] == ["viewed", "assigned"]
    assert verify_all(session).ok
