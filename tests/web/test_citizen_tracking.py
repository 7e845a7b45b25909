"""Tracking an objection in kk, ru and en: lookup, signed links, the page, withdrawal, appeal, replies, re-sending."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select, text

from objections.domain import deadlines
from objections.domain.errors import Conflict
from objections.models import Notification, Objection, ObjectionEvent
from objections.services import intake, notify, review
from objections.web import labels
from tests.builders import make_objection, make_organization, make_user, objection_input


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A browser that reads English unless a test picks another language (messages are compared in English)."""
    browser = app.test_client()
    browser.set_cookie("lang", "en")
    return browser


@pytest.fixture
def filed(session, now):  # type: ignore[no-untyped-def]
    """A web objection received at `now` (Monday 16 March 2026, 11:00 Astana) and its access code."""
    organization = make_organization(session, slug="bank")
    result = intake.file_objection(
        session, objection_input(organization), channel="web", now=now, policy="calendar_days"
    )
    session.commit()
    return result


def open_by_link(client: FlaskClient, objection: Objection) -> None:
    response = client.get(f"/track/link/{notify.tracking_token(objection.reference)}")
    assert response.status_code == 302


def page_of(client: FlaskClient, objection: Objection) -> str:
    response = client.get(f"/track/{objection.reference}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def text_in(client: FlaskClient, table: dict, code: str, language: str = "en") -> str:
    with client.application.test_request_context(f"/?lang={language}"):
        return str(escape(str(table[code])))


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_right_reference_and_code_open_the_tracking_page(client, session, filed, now, language) -> None:  # type: ignore[no-untyped-def]
    client.set_cookie("lang", language)
    lookup = client.get("/track").get_data(as_text=True)
    assert f'<html lang="{language}">' in lookup
    with time_machine.travel(now + timedelta(hours=1), tick=False):
        response = client.post(
            "/track", data={"reference": filed.objection.reference.lower(), "access_code": filed.access_code}
        )
        assert response.status_code == 303
        assert response.headers["Location"] == f"/track/{filed.objection.reference}"
        page = page_of(client, filed.objection)
    assert f'<html lang="{language}">' in page
    assert filed.objection.reference in page
    assert f'<strong id="status">{text_in(client, labels.STATUS, "received", language)}</strong>' in page
    deadline_text = deadlines.format_deadline(filed.objection.last_day, language)
    assert f'<dd id="deadline">{escape(deadline_text)}</dd>' in page
    assert "standing-on_time" in page
    assert 'action="/track/OB-2026-000001/withdraw"' in page
    assert 'action="/track/OB-2026-000001/appeal"' not in page
    assert "Objection received" in page or language != "en"


def test_a_wrong_code_answers_exactly_like_an_unknown_reference(client, filed) -> None:  # type: ignore[no-untyped-def]
    reference = filed.objection.reference
    wrong_code = client.post("/track", data={"reference": reference, "access_code": "AAAA-BBBB-CCCC-DDDD-EEEE"})
    unknown = client.post("/track", data={"reference": "OB-2026-999999", "access_code": filed.access_code})
    assert wrong_code.status_code == unknown.status_code == 404
    first = wrong_code.get_data(as_text=True).replace(reference, "REF")
    second = unknown.get_data(as_text=True).replace("OB-2026-999999", "REF")
    assert first == second
    assert "We could not find an objection with this reference and access code" in first
    assert filed.access_code not in second
    assert client.get(f"/track/{reference}").status_code == 302


def test_an_empty_lookup_names_the_missing_fields(client, filed) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/track", data={"reference": "", "access_code": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<li><a href="#reference">' in page and '<li><a href="#access_code">' in page


def test_the_tracking_page_needs_proof_of_access(client, filed) -> None:  # type: ignore[no-untyped-def]
    reference = filed.objection.reference
    for path in (f"/track/{reference}", f"/track/{reference}/summary", f"/objections/{reference}/receipt"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/track?reference={reference}"
    for path in (f"/track/{reference}/withdraw", f"/track/{reference}/appeal"):
        assert client.post(path, data={"confirm": "y"}).status_code == 302
    assert filed.objection.status == "received"


def test_the_lookup_form_is_prefilled_from_the_redirect(client, filed) -> None:  # type: ignore[no-untyped-def]
    page = client.get(f"/track?reference={filed.objection.reference}").get_data(as_text=True)
    assert f'value="{filed.objection.reference}"' in page


def test_the_signed_link_alone_opens_the_page(client, filed) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/track/link/{notify.tracking_token(filed.objection.reference)}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/track/{filed.objection.reference}"
    assert filed.objection.reference in page_of(client, filed.objection)


def test_an_expired_link_is_refused_kindly(client, filed, now) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(now, tick=False):
        token = notify.tracking_token(filed.objection.reference)
    with time_machine.travel(now + timedelta(days=91), tick=False):
        response = client.get(f"/track/link/{token}")
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)
    assert client.get(f"/track/{filed.objection.reference}").status_code == 302


def test_a_tampered_link_is_refused(app, client, filed) -> None:  # type: ignore[no-untyped-def]
    token = notify.tracking_token(filed.objection.reference)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/track/link/{tampered}").status_code == 404
    assert client.get("/track/link/not-a-token").status_code == 404
    app.config["SECRET_KEY"] = "another-secret-key-0123456789abcdef"
    forged = notify.tracking_token(filed.objection.reference)
    app.config["SECRET_KEY"] = "test-secret-key-0123456789abcdef"
    assert client.get(f"/track/link/{forged}").status_code == 404
    assert client.get(f"/track/link/{notify.tracking_token('OB-2026-999999')}").status_code == 404
    assert client.get(f"/track/{filed.objection.reference}").status_code == 302


def test_the_public_timeline_shows_public_events_only(client, session, filed, now) -> None:  # type: ignore[no-untyped-def]
    organization = filed.objection.organization
    operator = make_user(session, organization=organization)
    review.assign(session, filed.objection, actor=operator, assignee=None, now=now + timedelta(hours=1))
    session.commit()
    open_by_link(client, filed.objection)
    page = page_of(client, filed.objection)
    timeline = page.split('id="timeline-heading"')[1].split("</section>")[0]
    assert timeline.count("<li>") == 2
    assert "Objection received" in timeline and "Taken up by the organisation&#39;s staff" in timeline


def test_withdrawing_before_a_decision_closes_the_objection(client, session, filed) -> None:  # type: ignore[no-untyped-def]
    open_by_link(client, filed.objection)
    response = client.post(f"/track/{filed.objection.reference}/withdraw", data={"confirm": "y"})
    assert response.status_code == 303
    session.expire_all()
    objection = session.get(Objection, filed.objection.id)
    assert objection.status == "withdrawn"
    assert objection.withdrawn_at is not None
    page = page_of(client, objection)
    assert "You withdrew your objection. It is closed." in page
    assert 'action="/track/OB-2026-000001/withdraw"' not in page
    assert 'action="/track/OB-2026-000001/appeal"' not in page


def test_withdrawing_needs_the_confirmation_box(client, session, filed) -> None:  # type: ignore[no-untyped-def]
    open_by_link(client, filed.objection)
    response = client.post(f"/track/{filed.objection.reference}/withdraw", data={})
    assert response.status_code == 422
    assert text_in(client, labels.ERROR, "confirm_required") in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Objection, filed.objection.id).status == "received"


def test_withdrawing_after_the_decision_is_refused(client, session, now) -> None:  # type: ignore[no-untyped-def]
    objection = make_objection(session, received_at=now, status="decided")
    session.commit()
    open_by_link(client, objection)
    assert 'action="/track/OB-2026-000001/withdraw"' not in page_of(client, objection)
    response = client.post(f"/track/{objection.reference}/withdraw", data={"confirm": "y"})
    assert response.status_code == 303
    assert "can no longer be withdrawn" in page_of(client, objection)
    session.expire_all()
    assert session.get(Objection, objection.id).status == "decided"
    assert session.scalar(select(func.count()).where(ObjectionEvent.kind == "withdrawn")) == 0


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_answer_shows_outcome_reasons_and_how_to_appeal(app, client, session, now, language) -> None:  # type: ignore[no-untyped-def]
    objection = make_objection(session, received_at=now, status="answered")
    session.commit()
    client.set_cookie("lang", language)
    open_by_link(client, objection)
    page = page_of(client, objection)
    assert f'<html lang="{language}">' in page
    assert f'<dd id="outcome">{text_in(client, labels.OUTCOME, "rejected", language)}</dd>' in page
    assert text_in(client, labels.GROUND, "consent_given", language) in page
    assert "Consent was given." in page
    assert f'<p id="appeal-routes">{escape(app.config["APPEAL_ROUTES"][language])}</p>' in page
    assert "standing-answered_on_time" in page


def test_disagreeing_after_the_answer_records_an_appeal_and_shows_the_summary(app, client, session, now) -> None:  # type: ignore[no-untyped-def]
    objection = make_objection(session, received_at=now, status="answered")
    session.commit()
    open_by_link(client, objection)
    assert f'action="/track/{objection.reference}/appeal"' in page_of(client, objection)
    with time_machine.travel(now + timedelta(days=2), tick=False):
        open_by_link(client, objection)
        response = client.post(f"/track/{objection.reference}/appeal")
        assert response.status_code == 303
        assert response.headers["Location"] == f"/track/{objection.reference}/summary"
        summary = client.get(response.headers["Location"]).get_data(as_text=True)
        session.expire_all()
        appealed = session.get(Objection, objection.id)
        assert f'action="/track/{objection.reference}/appeal"' not in page_of(client, appealed)
    assert "Your appeal is recorded" in summary
    assert str(escape(app.config["APPEAL_ROUTES"]["en"])) in summary
    assert "Aigerim Test" in summary and objection.reference in summary
    assert appealed.appealed_at == now + timedelta(days=2)
    event = session.scalar(select(ObjectionEvent).where(ObjectionEvent.kind == "appealed"))
    assert event.payload == {"kind": "disagreement"} and event.is_public


def test_past_the_deadline_without_an_answer_the_page_says_so_and_offers_a_complaint(client, session, filed, now):  # type: ignore[no-untyped-def]
    after = filed.objection.deadline_at + timedelta(minutes=1)
    with time_machine.travel(after, tick=False):
        open_by_link(client, filed.objection)
        page = page_of(client, filed.objection)
        assert 'id="overdue"' in page
        assert "The deadline has passed and the organisation has not answered your objection." in page
        assert "standing-overdue" in page
        response = client.post(f"/track/{filed.objection.reference}/appeal")
    assert response.status_code == 303
    event = session.scalar(select(ObjectionEvent).where(ObjectionEvent.kind == "appealed"))
    assert event.payload == {"kind": "inaction"}


def test_a_complaint_of_inaction_before_the_deadline_is_refused(client, session, filed, now) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(filed.objection.deadline_at - timedelta(minutes=1), tick=False):
        open_by_link(client, filed.objection)
        page = page_of(client, filed.objection)
        assert 'id="overdue"' not in page
        assert f'action="/track/{filed.objection.reference}/appeal"' not in page
        response = client.post(f"/track/{filed.objection.reference}/appeal")
        assert response.status_code == 303
        assert text_in(client, labels.ERROR, "too_early") in page_of(client, filed.objection)
    session.expire_all()
    assert session.get(Objection, filed.objection.id).appealed_at is None
    assert session.scalar(select(func.count()).where(ObjectionEvent.kind == "appealed")) == 0


def test_a_withdrawn_objection_cannot_be_appealed(client, session, now) -> None:  # type: ignore[no-untyped-def]
    objection = make_objection(session, received_at=now, status="withdrawn")
    session.commit()
    with time_machine.travel(objection.deadline_at + timedelta(days=1), tick=False):
        open_by_link(client, objection)
        assert 'id="overdue"' not in page_of(client, objection)
        client.post(f"/track/{objection.reference}/appeal")
    session.expire_all()
    assert session.get(Objection, objection.id).appealed_at is None


def test_the_summary_is_printable(client, filed) -> None:  # type: ignore[no-untyped-def]
    open_by_link(client, filed.objection)
    page = client.get(f"/track/{filed.objection.reference}/summary").get_data(as_text=True)
    assert "Summary of objection OB-2026-000001" in page
    assert "The decision ignored my income." in page
    assert "Take the decision again with human participation" in page


def test_the_subject_replies_to_a_clarification_request(client, session, filed, now) -> None:  # type: ignore[no-untyped-def]
    clarifications = pytest.importorskip("objections.services.clarifications")
    operator = make_user(session, organization=filed.objection.organization)
    asked = clarifications.request_clarification(
        session, filed.objection, actor=operator, question="Which branch refused you?", now=now
    )
    session.commit()
    open_by_link(client, filed.objection)
    page = page_of(client, filed.objection)
    assert "Which branch refused you?" in page
    action = f"/track/{filed.objection.reference}/clarifications/{asked.id}/reply"
    assert f'action="{action}"' in page
    empty = client.post(action, data={f"c{asked.id}-reply": "  "})
    assert empty.status_code == 422
    response = client.post(action, data={f"c{asked.id}-reply": "The Almaty branch."})
    assert response.status_code == 303
    session.expire_all()
    session.refresh(asked)
    assert asked.reply == "The Almaty branch."
    page = page_of(client, filed.objection)
    assert "The Almaty branch." in page and f'action="{action}"' not in page
    assert session.scalar(select(func.count()).where(Notification.kind == "clarification_reply")) >= 1
    again = client.post(action, data={f"c{asked.id}-reply": "Twice"})
    assert again.status_code == 422


def test_a_reply_to_another_objections_question_is_not_found(client, session, filed, now) -> None:  # type: ignore[no-untyped-def]
    clarifications = pytest.importorskip("objections.services.clarifications")
    other = make_objection(session, received_at=now)
    operator = make_user(session, organization=other.organization)
    asked = clarifications.request_clarification(session, other, actor=operator, question="Where?", now=now)
    session.commit()
    open_by_link(client, filed.objection)
    response = client.post(
        f"/track/{filed.objection.reference}/clarifications/{asked.id}/reply", data={f"c{asked.id}-reply": "Here"}
    )
    assert response.status_code == 404


def resend(client: FlaskClient, reference: str, email: str):  # type: ignore[no-untyped-def]
    return client.post("/track/resend", data={"reference": reference, "email": email}, follow_redirects=True)


def test_resending_the_link_goes_to_the_email_on_file_and_the_link_works(app, client, session, filed) -> None:  # type: ignore[no-untyped-def]
    response = resend(client, filed.objection.reference.lower(), " SUBJECT@example.kz ")
    assert response.status_code == 200
    messages = session.scalars(select(Notification).where(Notification.kind == "tracking_link")).all()
    assert [(m.recipient, m.language) for m in messages] == [("subject@example.kz", "en")]
    token = messages[0].body_text.split("/track/link/")[1].split()[0]
    other_browser = app.test_client()
    assert other_browser.get(f"/track/link/{token}").status_code == 302
    assert filed.objection.reference in page_of(other_browser, filed.objection)


def test_resending_answers_alike_whether_or_not_the_reference_and_email_match(client, session, filed, now) -> None:  # type: ignore[no-untyped-def]
    # On a frozen clock: the page's CSRF token carries the second it was signed, and a second may tick between two
    # answers.
    with time_machine.travel(now, tick=False):
        answers = [
            resend(client, filed.objection.reference, "subject@example.kz"),
            resend(client, filed.objection.reference, "someone.else@example.kz"),
            resend(client, "OB-2026-999999", "subject@example.kz"),
            resend(client, filed.objection.reference, "not an address"),
        ]
    bodies = {a.get_data(as_text=True) for a in answers}
    assert {a.status_code for a in answers} == {200}
    assert len(bodies) == 1
    assert "If the reference and the e-mail address belong to the same objection" in bodies.pop()
    assert session.scalar(select(func.count()).where(Notification.kind == "tracking_link")) == 1


def test_resending_is_bounded_per_day(client, session, filed, now) -> None:  # type: ignore[no-untyped-def]
    def sent() -> int:
        return session.scalar(select(func.count()).where(Notification.kind == "tracking_link"))

    with time_machine.travel(now, tick=False):
        for _ in range(5):
            resend(client, filed.objection.reference, "subject@example.kz")
    assert sent() == 3
    with time_machine.travel(now + timedelta(days=1), tick=False):
        resend(client, filed.objection.reference, "subject@example.kz")
    assert sent() == 4


def test_resend_needs_both_fields(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/track/resend", data={"reference": "", "email": ""})
    assert response.status_code == 422
    assert '<li><a href="#email">' in response.get_data(as_text=True)


def test_an_answer_that_forwards_the_objection_names_the_other_organisation(client, session, filed, now) -> None:  # type: ignore[no-untyped-def]
    other = make_organization(session, slug="registry")
    operator = make_user(session, organization=filed.objection.organization)
    decision = review.DecisionInput(
        outcome="forwarded", reasoning="The registry took the decision.", forward_to="registry"
    )
    review.decide(session, filed.objection, decision, actor=operator, now=now + timedelta(hours=2))
    review.answer_by_email(session, filed.objection, actor=operator, now=now + timedelta(hours=2))
    session.commit()
    open_by_link(client, filed.objection)
    page = page_of(client, filed.objection)
    assert text_in(client, labels.OUTCOME, "forwarded") in page
    assert f"<dd>{escape(other.name_en)}</dd>" in page


def test_a_change_made_meanwhile_by_staff_saves_nothing_and_says_so(client, session, filed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real_withdraw = review.withdraw

    def withdraw_after_an_operator_moved_the_case(session, objection, *, now):  # type: ignore[no-untyped-def]
        session.execute(
            text("UPDATE objections SET row_version = row_version + 1 WHERE id = :id"), {"id": objection.id}
        )
        real_withdraw(session, objection, now=now)

    monkeypatch.setattr(review, "withdraw", withdraw_after_an_operator_moved_the_case)
    open_by_link(client, filed.objection)
    response = client.post(f"/track/{filed.objection.reference}/withdraw", data={"confirm": "y"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/track/{filed.objection.reference}"
    assert "The objection changed while you were looking at it" in page_of(client, filed.objection)
    session.expire_all()
    assert session.get(Objection, filed.objection.id).status == "received"
    assert session.scalar(select(func.count()).where(ObjectionEvent.kind == "withdrawn")) == 0


def test_a_refusal_no_page_offers_is_answered_without_a_crash(client, session, filed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise Conflict("someone else changed it")

    monkeypatch.setattr(review, "appeal", refuse)
    open_by_link(client, filed.objection)
    response = client.post(f"/track/{filed.objection.reference}/appeal")
    assert response.status_code == 303
    assert "That could not be done." in client.get(response.headers["Location"]).get_data(as_text=True)
