"""Organisation isolation: an operator never lists, searches, opens or changes another organisation's case (404
on every route, nothing changed), and every operator route needs a signed-in operator or organisation admin."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from objections.models import AnswerTemplate, AuditEvent, InternalNote, Notification, Objection, ObjectionEvent
from objections.services import attachments, casework
from tests.auth_helpers import login_as
from tests.builders import VALID_IINS, make_notice, make_objection, make_organization, make_user, objection_input

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def clock(now):
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(session, now, clock):
    ours, theirs = make_organization(session), make_organization(session)
    make_notice(session, ours, slug="scoring")
    make_notice(session, theirs, slug="scoring")
    operator = make_user(session, organization=ours)
    admin = make_user(session, role="org_admin", organization=ours)
    their_admin = make_user(session, role="org_admin", organization=theirs)
    their_operator = make_user(session, organization=theirs)
    cases = {
        status: make_objection(
            session,
            organization=theirs,
            received_at=now - timedelta(hours=5),
            status=status,
            iin=VALID_IINS[1],
            full_name="Foreign Subject",
        )
        for status in ("received", "in_review", "decided", "answered")
    }
    stored = attachments.check_uploads([("scan.pdf", io.BytesIO(PDF))])
    attachments.store_attachments(session, cases["received"], stored, now=now)
    template = casework.create_template(
        session,
        actor=their_admin,
        now=now,
        data=casework.TemplateInput(title="Theirs", outcome="rejected", language="en", reasoning="r"),
    )
    filed = casework.register_paper_objection(
        session,
        objection_input(theirs, email=None),
        actor=their_operator,
        channel="paper",
        received_at=now - timedelta(hours=1),
        key="their-key",
        now=now,
        policy="calendar_days",
    )
    session.commit()
    return {
        "ours": ours,
        "theirs": theirs,
        "operator": operator,
        "admin": admin,
        "cases": cases,
        "template": template,
        "their_operator": their_operator,
        "their_paper": filed.objection,
    }


def signed_in(app, user):
    client = app.test_client()
    client.set_cookie("lang", "en")
    login_as(client, user)
    return client


def snapshot(session) -> tuple:
    """Everything an action could change, to prove that nothing did."""
    session.expire_all()
    counts = tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Objection, ObjectionEvent, Notification, InternalNote, AnswerTemplate, AuditEvent)
    )
    states = tuple(
        session.execute(select(Objection.id, Objection.status, Objection.assignee_id, Objection.row_version))
    )
    return counts, states


def requests_for(world: dict) -> list[tuple[str, str, dict]]:
    received, decided = world["cases"]["received"].reference, world["cases"]["decided"].reference
    answered = world["cases"]["answered"].reference
    attachment_id = world["cases"]["received"].id  # any id: the case itself is not found first
    decision = {"outcome": "rejected", "ground": "consent_given", "reasoning": "No.", "language": "en"}
    return [
        ("GET", f"/cases/{received}", {}),
        ("GET", f"/cases/{received}/decision", {}),
        ("GET", f"/cases/{decided}/letter", {}),
        ("GET", f"/cases/{received}/attachments/{attachment_id}", {}),
        ("POST", f"/cases/{received}/assign", {"assignee": "me"}),
        ("POST", f"/cases/{received}/notes", {"body": "Looked at it."}),
        ("POST", f"/cases/{received}/clarifications", {"question": "Which branch?"}),
        ("POST", f"/cases/{received}/decision", {**decision, "action": "preview"}),
        ("POST", f"/cases/{received}/decision", {**decision, "action": "decide"}),
        ("POST", f"/cases/{decided}/notified", {"channel": "post", "notified_at": "2026-03-16T10:00", "by": "Me"}),
        ("POST", f"/cases/{answered}/notified", {"channel": "post", "notified_at": "2026-03-16T10:00", "by": "Me"}),
        (
            "POST",
            f"/cases/{received}/forward",
            {"to_organization": world["ours"].slug, "reasoning": "Mine now", "language": "en"},
        ),
        ("GET", f"/cases/templates/{world['template'].id}", {}),
        (
            "POST",
            f"/cases/templates/{world['template'].id}",
            {"title": "Stolen", "outcome": "rejected", "language": "en", "reasoning": "x"},
        ),
        ("POST", f"/cases/templates/{world['template'].id}/delete", {}),
        ("GET", "/cases/new/their-key", {}),
    ]


def test_every_route_answers_404_for_another_organisations_case_and_changes_nothing(app, session, world) -> None:
    client = signed_in(app, world["admin"])  # an organisation admin: the widest role of an organisation
    before = snapshot(session)
    for method, path, data in requests_for(world):
        response = client.open(path, method=method, data=data)
        assert response.status_code == 404, (method, path, response.status_code)
        assert b"Foreign Subject" not in response.data and VALID_IINS[1].encode() not in response.data
        response.close()
    assert snapshot(session) == before


def test_another_organisations_cases_are_neither_listed_nor_found_by_search(app, session, now, world) -> None:
    mine = make_objection(session, organization=world["ours"], received_at=now, full_name="Own Subject")
    session.commit()
    client = signed_in(app, world["operator"])
    for query in (
        "status=all",
        f"q={VALID_IINS[1]}&status=all",
        "q=Foreign&status=all",
        f"q={world['cases']['received'].reference}&status=all",
        "q=1&status=all",
    ):
        page = client.get(f"/cases/?{query}").get_data(as_text=True)
        assert "Foreign Subject" not in page
        listed = set(re.findall(r'href="/cases/(OB-[\d-]+)"', page))
        assert listed <= {mine.reference}, query
    assert mine.reference in client.get("/cases/?status=all").get_data(as_text=True)


def test_paper_intake_files_for_the_operators_own_organisation_whatever_is_posted(app, session, world) -> None:
    client = signed_in(app, world["operator"])
    form = client.get("/cases/new").get_data(as_text=True)
    key = form.split('name="form_key" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/cases/new",
        data={
            "organization": world["theirs"].slug,
            "channel": "paper",
            "received_at": "2026-03-16T10:00",
            "full_name": "Paper Subject",
            "iin": VALID_IINS[0],
            "language": "en",
            "grounds": "Refused.",
            "remedies": ["explanation"],
            "consent": "y",
            "form_key": key,
        },
    )
    assert response.status_code == 303
    filed = session.scalar(select(Objection).where(Objection.full_name == "Paper Subject"))
    assert filed.organization_id == world["ours"].id
    their_receipt = signed_in(app, world["their_operator"]).get(f"/cases/new/{key}")
    assert their_receipt.status_code == 404  # a filing's access code is shown to the one who filed it


def test_every_operator_route_needs_a_signed_in_operator_or_organisation_admin(app, session, world) -> None:
    supervisor = make_user(session, role="supervisor")
    session.commit()
    anonymous, outsider = app.test_client(), signed_in(app, supervisor)
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("operator.")]
    assert len(rules) >= 15
    values = {
        "reference": world["cases"]["received"].reference,
        "attachment_id": 1,
        "template_id": 1,
        "key": "k",
        "notice_slug": "scoring",
    }
    for rule in rules:
        path = rule.build(values, append_unknown=False)[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = anonymous.open(path, method=method)
            assert response.status_code == 302 and "/login" in response.headers["Location"], (method, path)
            assert outsider.open(path, method=method).status_code == 403, (method, path)


def test_operators_cannot_manage_answer_templates(app, session, world) -> None:
    client = signed_in(app, world["operator"])
    assert client.get("/cases/templates").status_code == 403
    response = client.post(
        "/cases/templates", data={"title": "T", "outcome": "rejected", "language": "en", "reasoning": "r"}
    )
    assert response.status_code == 403
    assert session.scalar(select(func.count()).select_from(AnswerTemplate)) == 1
