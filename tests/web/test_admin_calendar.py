"""The administrators' calendar page: an override added there moves open deadlines, is audited, and is removable."""

from datetime import UTC, datetime

from sqlalchemy import select

from objections.models import AuditEvent, CalendarOverride
from tests.auth_helpers import login_as
from tests.builders import make_objection, make_organization, make_user


def test_an_override_added_on_the_page_moves_an_open_deadline_and_can_be_removed(app, session) -> None:
    admin = make_user(session, role="admin")
    # Received Monday 16 March 2026 (Astana): the third day, Thursday 19 March, is a working day.
    case = make_objection(
        session, organization=make_organization(session), received_at=datetime(2026, 3, 16, 6, 0, tzinfo=UTC)
    )
    session.commit()
    before = case.deadline_at
    client = app.test_client()
    login_as(client, admin)
    response = client.post("/admin/calendar", data={"day": "2026-03-19", "kind": "day_off", "reason": "Decree 1"})
    assert response.status_code == 302
    session.refresh(case)
    assert case.deadline_at > before
    assert session.scalar(select(CalendarOverride.reason)) == "Decree 1"
    assert "calendar_override_added" in set(session.scalars(select(AuditEvent.kind)))
    assert b"Decree 1" in client.get("/admin/calendar").data
    assert client.post("/admin/calendar/2026-03-19/remove").status_code == 302
    session.refresh(case)
    assert case.deadline_at == before


def test_a_missing_reason_or_a_duplicate_day_is_refused(app, session) -> None:
    admin = make_user(session, role="admin")
    session.commit()
    client = app.test_client()
    login_as(client, admin)
    assert (
        client.post("/admin/calendar", data={"day": "2026-03-19", "kind": "day_off", "reason": ""}).status_code == 422
    )
    client.post("/admin/calendar", data={"day": "2026-03-19", "kind": "day_off", "reason": "Decree"})
    again = client.post("/admin/calendar", data={"day": "2026-03-19", "kind": "working_day", "reason": "Other"})
    assert again.status_code == 422
    assert client.post("/admin/calendar/2026-13-01/remove").status_code == 404
