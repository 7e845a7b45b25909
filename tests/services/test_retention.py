"""Retention: objections closed long ago lose their personal data and keep their statistics and timeline."""

from datetime import timedelta

from sqlalchemy import select

from objections.models import Objection
from objections.services.audit_verify import verify_all
from objections.services.retention import anonymise_expired
from tests.builders import make_objection, make_organization


def test_old_closed_objections_are_anonymised_and_recent_ones_kept(session, now) -> None:
    organization = make_organization(session)
    old = make_objection(
        session,
        organization=organization,
        received_at=now - timedelta(days=6 * 365),
        status="closed",
        full_name="Old Person",
    )
    recent = make_objection(
        session,
        organization=organization,
        received_at=now - timedelta(days=40),
        status="closed",
        full_name="Recent Person",
    )
    open_one = make_objection(
        session, organization=organization, received_at=now - timedelta(days=7 * 365), full_name="Open Person"
    )
    session.commit()
    result = anonymise_expired(session, now=now, retention_years=5)
    session.commit()
    assert result.anonymised == 1
    session.expire_all()
    old, recent, open_one = (session.get(Objection, o.id) for o in (old, recent, open_one))
    assert old.full_name == "—" and old.iin == "" and old.email is None and old.anonymised_at == now
    assert old.status == "closed" and old.outcome == "rejected" and old.answered_at is not None
    assert recent.full_name == "Recent Person" and recent.anonymised_at is None
    assert open_one.full_name == "Open Person"
    assert verify_all(session).ok  # the timelines carry no personal data, so their chains stay intact
    assert anonymise_expired(session, now=now, retention_years=5).anonymised == 0
    assert session.scalar(select(Objection.id).where(Objection.full_name == "Old Person")) is None
