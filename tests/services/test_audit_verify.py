"""`audit verify` catches an edited, a deleted and an inserted row, and a deleted chain."""

from datetime import timedelta

from sqlalchemy import delete, select, update

from objections.models import AuditEvent, Notification, Objection, ObjectionEvent
from objections.services.audit import record_audit
from objections.services.audit_verify import verify_all, write_anchor
from tests.builders import make_objection, make_organization


def _two_cases(session, now):
    organization = make_organization(session)
    first = make_objection(session, organization=organization, received_at=now, status="answered")
    second = make_objection(session, organization=organization, received_at=now, status="in_review")
    record_audit(session, "login", now=now)
    record_audit(session, "export", now=now, payload={"kind": "breaches"})
    session.commit()
    return first, second


def test_intact_chains_verify(session, now) -> None:
    _two_cases(session, now)
    report = verify_all(session)
    assert report.ok, report.problems
    assert report.chains == 3


def test_an_edited_event_is_named(session, now) -> None:
    first, _ = _two_cases(session, now)
    event = session.scalars(select(ObjectionEvent).where(ObjectionEvent.objection_id == first.id)).all()[1]
    session.execute(update(ObjectionEvent).where(ObjectionEvent.id == event.id).values(kind="tampered"))
    session.commit()
    report = verify_all(session)
    assert not report.ok
    assert f"objection_events id={event.id}" in report.problems[0]
    assert "edited" in report.problems[0]


def test_a_deleted_event_is_caught(session, now) -> None:
    first, _ = _two_cases(session, now)
    events = session.scalars(select(ObjectionEvent).where(ObjectionEvent.objection_id == first.id)).all()
    session.execute(delete(ObjectionEvent).where(ObjectionEvent.id == events[1].id))
    session.commit()
    report = verify_all(session)
    assert not report.ok
    assert f"objection_events id={events[2].id}" in report.problems[0]


def test_an_inserted_event_is_caught(session, now) -> None:
    first, _ = _two_cases(session, now)
    last = session.scalars(
        select(ObjectionEvent).where(ObjectionEvent.objection_id == first.id).order_by(ObjectionEvent.seq.desc())
    ).first()
    session.add(
        ObjectionEvent(
            objection_id=first.id,
            seq=last.seq + 1,
            kind="decided",
            actor_kind="staff",
            payload={},
            at=now,
            prev_hash="f" * 64,
            hash="e" * 64,
        )
    )
    session.commit()
    report = verify_all(session)
    assert not report.ok


def test_an_edited_audit_row_is_named(session, now) -> None:
    _two_cases(session, now)
    row = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
    session.execute(update(AuditEvent).where(AuditEvent.id == row.id).values(payload={"ip": "1.2.3.4"}))
    session.commit()
    report = verify_all(session)
    assert any(f"audit_events id={row.id}" in p for p in report.problems)


def test_a_deleted_chain_is_caught_by_the_anchor(session, now) -> None:
    _, second = _two_cases(session, now)
    write_anchor(session, now=now + timedelta(days=1))
    session.commit()
    assert verify_all(session).ok
    session.execute(delete(ObjectionEvent).where(ObjectionEvent.objection_id == second.id))
    session.execute(delete(Notification).where(Notification.objection_id == second.id))
    session.execute(delete(Objection).where(Objection.id == second.id))
    session.commit()
    report = verify_all(session)
    assert any("audit_anchors" in p for p in report.problems)


def test_audit_verify_command_exits_non_zero_on_a_broken_chain(session, runner, now) -> None:
    first, _ = _two_cases(session, now)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    session.execute(update(ObjectionEvent).where(ObjectionEvent.objection_id == first.id).values(payload={"x": 1}))
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN: objection_events" in result.output
