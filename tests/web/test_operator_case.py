"""The case file: every field, the deadline explanation, the timeline in local time, notes, assignment,
clarification requests, attachments, forwarding, and a clear refusal when the case's state does not allow an action."""

from __future__ import annotations

import html as html_lib
import io
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from sqlalchemy import select

from objections.models import Notification, Objection, ObjectionEvent
from objections.services import attachments, clarifications, review
from objections.services.presenters import deadline_view
from tests.auth_helpers import login_as
from tests.builders import VALID_IINS, make_notice, make_objection, make_organization, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def clock(now):
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(session, now, clock):
    organization = make_organization(session)
    make_notice(session, organization, slug="scoring")
    operator = make_user(session, organization=organization)
    operator.full_name = "Aigerim Operator"
    colleague = make_user(session, organization=organization)
    colleague.full_name = "Dana Colleague"
    case = make_objection(
        session,
        organization=organization,
        received_at=now - timedelta(hours=2),
        notice="scoring",
        iin=VALID_IINS[2],
        phone="+7 701 123 45 67",
        decision_reference="APP-77",
        grounds="The model ignored my salary.",
    )
    session.commit()
    return {"org": organization, "operator": operator, "colleague": colleague, "case": case}


def signed_in(app, user):
    client = app.test_client()
    client.set_cookie("lang", "en")
    login_as(client, user)
    return client


def page_of(client, reference: str) -> str:
    return html_lib.unescape(client.get(f"/cases/{reference}").get_data(as_text=True))


def test_the_case_file_shows_every_field_the_deadline_and_the_timeline_in_local_time(app, session, world) -> None:
    case = world["case"]
    page = page_of(signed_in(app, world["operator"]), case.reference)
    for shown in (
        case.full_name,
        VALID_IINS[2],
        case.email,
        "+7 701 123 45 67",
        "APP-77",
        "The model ignored my salary.",
        "Take the decision again with human participation",
        "Scoring",
    ):
        assert shown in page
    view = deadline_view(session, case, "en")
    assert view.deadline_text in page
    for line in view.explanation:
        assert line in page
    assert "16 March 2026, 09:00 (Astana time)" in page  # received at 04:00 UTC
    assert "The subject" in page


def test_assigning_to_me_and_to_a_colleague_lands_on_the_timeline(app, session, world) -> None:
    client = signed_in(app, world["operator"])
    reference = world["case"].reference
    assert client.post(f"/cases/{reference}/assign", data={"assignee": "me"}).status_code == 303
    assert session.get(Objection, world["case"].id).assignee_id == world["operator"].id
    response = client.post(f"/cases/{reference}/assign", data={"assignee": str(world["colleague"].id)})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Objection, world["case"].id).assignee_id == world["colleague"].id
    page = page_of(client, reference)
    assert "The case is assigned to Dana Colleague." in page
    assert "Assigned: to Dana Colleague" in page.replace('<span class="details">', "")


def test_a_colleague_of_another_organisation_cannot_be_given_the_case(app, session, now, world) -> None:
    outsider = make_user(session, organization=make_organization(session))
    session.commit()
    client = signed_in(app, world["operator"])
    response = client.post(f"/cases/{world['case'].reference}/assign", data={"assignee": str(outsider.id)})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert session.get(Objection, world["case"].id).assignee_id is None


def test_an_internal_note_shows_to_staff_and_never_on_a_public_event(app, session, world) -> None:
    client = signed_in(app, world["operator"])
    reference = world["case"].reference
    assert client.post(f"/cases/{reference}/notes", data={"body": "Ask the scoring team."}).status_code == 303
    assert "Ask the scoring team." in page_of(client, reference)
    event = session.scalar(select(ObjectionEvent).where(ObjectionEvent.kind == "note_added"))
    assert event.is_public is False
    empty = client.post(f"/cases/{reference}/notes", data={"body": ""})
    assert empty.status_code == 422


def test_a_clarification_request_is_emailed_and_the_reply_shows_in_the_file(app, session, now, world) -> None:
    client = signed_in(app, world["operator"])
    case = world["case"]
    response = client.post(f"/cases/{case.reference}/clarifications", data={"question": "Which branch?"})
    assert response.status_code == 303
    mail = session.scalar(select(Notification).where(Notification.kind == "clarification"))
    assert mail.recipient == case.email and "Which branch?" in mail.body_text
    question = session.scalar(select(ObjectionEvent).where(ObjectionEvent.kind == "clarification_requested"))
    clarifications.reply_to_clarification(
        session, case, clarification_id=question.payload["clarification_id"], reply="Abay avenue.", now=now
    )
    session.commit()
    page = page_of(client, case.reference)
    assert "Which branch?" in page and "Abay avenue." in page
    assert "The subject replied to the clarification request" in page
    assert session.get(Objection, case.id).deadline_at == case.deadline_at


def test_an_action_the_state_does_not_allow_is_refused_clearly_and_changes_nothing(app, session, now, world) -> None:
    answered = make_objection(
        session, organization=world["org"], received_at=now - timedelta(days=1), status="answered"
    )
    session.commit()
    client = signed_in(app, world["operator"])
    before = [e.kind for e in answered.events]
    for path, data in (
        ("assign", {"assignee": "me"}),
        ("clarifications", {"question": "Why?"}),
        ("notified", {"channel": "post", "notified_at": "2026-03-16T10:00", "by": "Clerk"}),
        ("forward", {"to_organization": make_organization(session).slug, "reasoning": "Not ours", "language": "en"}),
    ):
        session.commit()
        response = client.post(f"/cases/{answered.reference}/{path}", data=data)
        assert response.status_code == 409, path
        assert "This case is now “Answered”, which does not allow that. Nothing was changed." in html_lib.unescape(
            response.get_data(as_text=True)
        )
    session.expire_all()
    assert [e.kind for e in session.get(Objection, answered.id).events] == before


def test_attachments_are_listed_and_downloaded_by_staff(app, session, now, world) -> None:
    case = world["case"]
    checked = attachments.check_uploads([("decision.pdf", io.BytesIO(PDF))])
    attachments.store_attachments(session, case, checked, now=now)
    session.commit()
    stored = attachments.attachments_of(session, case)[0]
    client = signed_in(app, world["operator"])
    assert "decision.pdf" in page_of(client, case.reference)
    with client.get(f"/cases/{case.reference}/attachments/{stored.id}") as download:
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/cases/{case.reference}/attachments/{stored.id + 1}").status_code == 404


def test_forwarding_opens_the_case_at_the_other_organisation_and_answers_the_subject(app, session, now, world) -> None:
    other = make_organization(session)
    session.commit()
    client = signed_in(app, world["operator"])
    case = world["case"]
    response = client.post(
        f"/cases/{case.reference}/forward",
        data={"to_organization": other.slug, "reasoning": "Scoring is done by the other bank.", "language": "en"},
    )
    assert response.status_code == 303
    case = session.get(Objection, case.id)
    forwarded = session.get(Objection, case.forwarded_to_id)
    assert (case.status, case.outcome) == ("answered", "forwarded")
    assert (forwarded.organization_id, forwarded.received_at, forwarded.status) == (other.id, now, "received")
    answer = session.scalar(select(Notification).where(Notification.kind == "answer"))
    assert other.name_en in answer.body_text and "Scoring is done by the other bank." in answer.body_text
    page = page_of(client, case.reference)
    assert f"registered there as {forwarded.reference}" in page
    assert client.get(f"/cases/{forwarded.reference}").status_code == 404  # now the other organisation's case


def test_a_print_letter_needs_a_decision(app, session, world) -> None:
    client = signed_in(app, world["operator"])
    response = client.get(f"/cases/{world['case'].reference}/letter")
    assert response.status_code == 409
    assert "There is no decision yet" in response.get_data(as_text=True)


class _Inputs(HTMLParser):
    """Ids, label targets and the controls a person fills in, from one page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[str] = []
        self.wrapped_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if "id" in values:
            self.ids.append(values["id"])
        if tag == "label" and values.get("for"):
            self.label_for.add(values["for"])
        if tag in ("input", "select", "textarea") and values.get("type") not in ("hidden", "submit"):
            self.controls.append(values.get("id", f"<{tag} without id>"))


def test_operator_pages_tie_every_control_to_a_label_and_repeat_no_id(app, session, now, world) -> None:
    paper = make_objection(session, organization=world["org"], received_at=now, email=None, channel="paper")
    admin = make_user(session, role="org_admin", organization=world["org"])
    decision = review.DecisionInput(outcome="rejected", ground="consent_given", reasoning="Consent was given.")
    review.decide(session, paper, decision, actor=admin, now=now)  # its page offers the notification form
    session.commit()
    client = signed_in(app, admin)
    for path in (
        "/cases/",
        f"/cases/{world['case'].reference}",
        f"/cases/{paper.reference}",
        f"/cases/{world['case'].reference}/decision",
        "/cases/new",
        "/cases/templates",
    ):
        page = _Inputs()
        page.feed(client.get(path).get_data(as_text=True))
        assert len(page.ids) == len(set(page.ids)), (path, sorted(i for i in page.ids if page.ids.count(i) > 1))
        assert page.controls, path
        unlabelled = [c for c in page.controls if c not in page.label_for]
        assert not unlabelled, (path, unlabelled)
