"""The decision page: required fields, the preview of exactly what the subject receives, "Decide and notify" in one
transaction, double submits, two operators at once, cases without e-mail, templates."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event, func, select, text

from objections.extensions import db
from objections.models import Notification, Objection, ObjectionEvent
from objections.services import casework
from tests.auth_helpers import login_as
from tests.builders import make_notice, make_objection, make_organization, make_user

UPHELD = {
    "outcome": "upheld_processing_stopped",
    "reasoning": "Your income certificate was not considered by the model.",
    "actions_taken": "Automated processing of your data stopped on 16 March 2026.",
}


@pytest.fixture
def clock(now):
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(session, now, clock):
    organization = make_organization(session)
    other = make_organization(session)
    operator = make_user(session, organization=organization)
    colleague = make_user(session, organization=organization)
    case = make_objection(session, organization=organization, received_at=now - timedelta(hours=3), language="ru")
    session.commit()
    return {"org": organization, "other": other, "operator": operator, "colleague": colleague, "case": case}


def signed_in(app, user):
    client = app.test_client()
    client.set_cookie("lang", "en")
    login_as(client, user)
    return client


def form_values(html: str) -> dict[str, str]:
    """The hidden fields of the decision form as the browser would send them back."""
    found = dict(re.findall(r'<input[^>]*name="(row_version|previewed)"[^>]*value="([^"]*)"', html))
    found.update({k: v for v, k in re.findall(r'<input[^>]*value="([^"]*)"[^>]*name="(row_version|previewed)"', html)})
    return found


def preview(client, reference: str, data: dict) -> tuple[object, dict]:
    """Load the form, then preview; returns the preview response and the fields to send with "Decide"."""
    loaded = client.get(f"/cases/{reference}/decision").get_data(as_text=True)
    fields = {**form_values(loaded), "language": "ru", **data, "action": "preview"}
    response = client.post(f"/cases/{reference}/decision", data=fields)
    return response, {**fields, **form_values(response.get_data(as_text=True)), "action": "decide"}


def count(session, model, **where) -> int:
    session.expire_all()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.scalar(query)


def test_the_preview_shows_exactly_the_email_and_changes_nothing(app, session, world) -> None:
    client = signed_in(app, world["operator"])
    reference = world["case"].reference
    response, decide = preview(client, reference, UPHELD)
    page = html_lib.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Preview: exactly what the subject receives" in page
    assert app.config["APPEAL_ROUTES"]["ru"] in page
    assert UPHELD["reasoning"] in page and UPHELD["actions_taken"] in page
    assert count(session, Notification, kind="answer") == 0
    assert session.get(Objection, world["case"].id).status == "received"
    response = client.post(f"/cases/{reference}/decision", data=decide)
    assert response.status_code == 303
    mail = session.scalar(select(Notification).where(Notification.kind == "answer"))
    assert mail.body_text in page  # the plain-text version shown is the one queued


def test_decide_and_notify_records_the_decision_queues_the_email_and_answers_in_one_go(
    app, session, now, world
) -> None:
    client = signed_in(app, world["operator"])
    reference = world["case"].reference
    _preview, decide = preview(client, reference, UPHELD)
    response = client.post(f"/cases/{reference}/decision", data=decide)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/cases/{reference}")
    case = session.get(Objection, world["case"].id)
    assert (case.status, case.outcome, case.decided_at, case.answered_at) == (
        "answered",
        "upheld_processing_stopped",
        now,
        now,
    )
    assert (case.assignee_id, case.answer_language) == (world["operator"].id, "ru")
    mail = session.scalar(select(Notification).where(Notification.kind == "answer"))
    assert (mail.recipient, mail.language) == (case.email, "ru")
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "the answer is published and its e-mail queued" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"outcome": "rejected", "reasoning": "Consent."}, "ground", "This field is required."),
        ({"outcome": "partially_upheld", "reasoning": "Partly."}, "actions_taken", "This field is required."),
        ({"outcome": "upheld_decision_retaken", "reasoning": ""}, "reasoning", "This field is required."),
        ({"outcome": "duplicate", "reasoning": "Again."}, "duplicate_of", "This field is required."),
        (
            {"outcome": "duplicate", "reasoning": "Again.", "duplicate_of": "OB-2026-999999"},
            "duplicate_of",
            "Choose one of the options offered.",
        ),
        ({"outcome": "forwarded", "reasoning": "Not ours."}, "forward_to", "This field is required."),
        ({"outcome": "", "reasoning": "Hm."}, "outcome", "Choose one of the options offered."),
    ],
)
def test_an_incomplete_decision_is_refused_beside_the_field(app, session, world, data, field, message) -> None:
    client = signed_in(app, world["operator"])
    response, _ = preview(client, world["case"].reference, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'<p class="error-message" id="{field}-error">{re.escape(message)}', page)
    assert "Preview: exactly" not in page
    assert session.get(Objection, world["case"].id).status == "received"


def test_deciding_without_previewing_that_exact_text_shows_the_preview_instead(app, session, world) -> None:
    client = signed_in(app, world["operator"])
    reference = world["case"].reference
    _preview, decide = preview(client, reference, UPHELD)
    decide["reasoning"] = "Edited after the preview."
    response = client.post(f"/cases/{reference}/decision", data=decide)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "changed after the preview" in page
    assert "Edited after the preview." in page.split("Preview: exactly")[1]
    assert count(session, ObjectionEvent, kind="decided") == 0


def test_a_double_submitted_decision_makes_one_decision_and_one_email(app, session, world) -> None:
    client = signed_in(app, world["operator"])
    reference = world["case"].reference
    _preview, decide = preview(client, reference, UPHELD)
    assert client.post(f"/cases/{reference}/decision", data=decide).status_code == 303
    again = client.post(f"/cases/{reference}/decision", data=decide)
    assert again.status_code == 409
    assert "form was sent twice" in again.get_data(as_text=True)
    assert count(session, ObjectionEvent, kind="decided") == 1
    assert count(session, Notification, kind="answer") == 1


def test_two_operators_deciding_at_once_one_wins_and_the_other_is_told(app, session, world) -> None:
    reference = world["case"].reference
    alice, bob = signed_in(app, world["operator"]), signed_in(app, world["colleague"])
    _a, alice_decides = preview(alice, reference, UPHELD)
    _b, bob_decides = preview(bob, reference, {"outcome": "rejected", "ground": "consent_given", "reasoning": "No."})
    assert alice_decides["row_version"] == bob_decides["row_version"]
    assert alice.post(f"/cases/{reference}/decision", data=alice_decides).status_code == 303
    lost = bob.post(f"/cases/{reference}/decision", data=bob_decides)
    page = lost.get_data(as_text=True)
    assert lost.status_code == 409
    assert "someone else changed this case" in page
    assert "Current state" in page and "Answered" in page
    case = session.get(Objection, world["case"].id)
    assert case.outcome == "upheld_processing_stopped"
    assert count(session, ObjectionEvent, kind="decided") == 1
    assert count(session, Notification, kind="answer") == 1


def test_a_colleagues_change_after_the_form_was_loaded_keeps_the_typed_text(app, session, world) -> None:
    reference = world["case"].reference
    alice, bob = signed_in(app, world["operator"]), signed_in(app, world["colleague"])
    _a, alice_decides = preview(alice, reference, UPHELD)
    assert bob.post(f"/cases/{reference}/assign", data={"assignee": "me"}).status_code == 303
    refused = alice.post(f"/cases/{reference}/decision", data=alice_decides)
    page = html_lib.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 409
    assert "Someone else changed this case while you were working on it" in page
    assert UPHELD["reasoning"] in page  # nothing typed is lost
    assert count(session, ObjectionEvent, kind="decided") == 0
    newer = form_values(page)["row_version"]
    assert newer != alice_decides["row_version"]
    _again, retry = preview(alice, reference, UPHELD)
    assert alice.post(f"/cases/{reference}/decision", data=retry).status_code == 303


def test_a_change_committed_between_loading_and_saving_is_caught_by_the_version_column(app, session, world) -> None:
    """What two simultaneous requests do on PostgreSQL: the row changes after this request read it."""
    reference = world["case"].reference
    client = signed_in(app, world["operator"])
    _preview, decide = preview(client, reference, UPHELD)
    fired = []

    def colleague_commits_first(flush_session, _context, _instances) -> None:
        if not fired:
            fired.append(True)
            flush_session.connection().execute(
                text("UPDATE objections SET row_version = row_version + 1 WHERE reference = :ref"), {"ref": reference}
            )

    event.listen(db.session, "before_flush", colleague_commits_first)
    try:
        refused = client.post(f"/cases/{reference}/decision", data=decide)
    finally:
        event.remove(db.session, "before_flush", colleague_commits_first)
    assert fired and refused.status_code == 409
    assert "Someone else changed this case" in refused.get_data(as_text=True)
    assert count(session, ObjectionEvent, kind="decided") == 0
    assert count(session, Notification, kind="answer") == 0
    assert session.get(Objection, world["case"].id).status == "received"


def test_a_paper_case_without_email_is_decided_then_notified_by_post_and_printed(
    app, session, now, clock, world
) -> None:
    paper = make_objection(
        session, organization=world["org"], received_at=now - timedelta(hours=5), email=None, channel="paper"
    )
    session.commit()
    client = signed_in(app, world["operator"])
    response, decide = preview(client, paper.reference, {**UPHELD, "language": "en"})
    assert "Record the decision" in response.get_data(as_text=True)
    assert client.post(f"/cases/{paper.reference}/decision", data=decide).status_code == 303
    assert session.get(Objection, paper.id).status == "decided"
    assert count(session, Notification, kind="answer") == 0
    letter = html_lib.unescape(client.get(f"/cases/{paper.reference}/letter").get_data(as_text=True))
    assert paper.full_name in letter and UPHELD["actions_taken"] in letter
    assert app.config["APPEAL_ROUTES"]["en"] in letter
    clock.shift(timedelta(minutes=20))  # now 11:20 in Astana; decided at 11:00
    future = client.post(
        f"/cases/{paper.reference}/notified",
        data={"channel": "post", "notified_at": "2026-03-16T11:50", "by": "A. Clerk"},
    )
    assert future.status_code == 422 and "This cannot be in the future." in future.get_data(as_text=True)
    assert session.get(Objection, paper.id).status == "decided"
    told = client.post(
        f"/cases/{paper.reference}/notified",
        data={"channel": "post", "notified_at": "2026-03-16T11:10", "by": "A. Clerk"},
    )
    assert told.status_code == 303
    case = session.get(Objection, paper.id)
    assert (case.status, case.answered_at, case.notified_channel) == ("answered", now + timedelta(minutes=10), "post")


def test_a_template_prefills_the_decision_and_another_organisations_is_not_found(app, session, now, world) -> None:
    make_notice(session, world["org"], slug="scoring")
    admin = make_user(session, role="org_admin", organization=world["org"])
    mine = casework.create_template(
        session,
        actor=admin,
        now=now,
        data=casework.TemplateInput(
            title="Stopped",
            outcome="upheld_processing_stopped",
            language="ru",
            reasoning="Шаблон причин.",
            actions_taken="Обработка остановлена.",
        ),
    )
    outsider = make_user(session, role="org_admin", organization=world["other"])
    theirs = casework.create_template(
        session,
        actor=outsider,
        now=now,
        data=casework.TemplateInput(title="Theirs", outcome="rejected", language="en", reasoning="x"),
    )
    session.commit()
    client = signed_in(app, world["operator"])
    reference = world["case"].reference
    page = client.get(f"/cases/{reference}/decision").get_data(as_text=True)
    assert "Stopped" in page and "Theirs" not in page
    filled = client.get(f"/cases/{reference}/decision?template={mine.id}").get_data(as_text=True)
    assert "Шаблон причин." in filled and "Обработка остановлена." in filled
    assert client.get(f"/cases/{reference}/decision?template={theirs.id}").status_code == 404


def test_a_decided_case_cannot_be_decided_again_from_the_page(app, session, now, world) -> None:
    decided = make_objection(session, organization=world["org"], received_at=now - timedelta(days=1), status="decided")
    session.commit()
    client = signed_in(app, world["operator"])
    page = client.get(f"/cases/{decided.reference}/decision").get_data(as_text=True)
    assert "Current state" in page and 'value="decide"' not in page
    response = client.post(
        f"/cases/{decided.reference}/decision", data={**UPHELD, "language": "en", "action": "preview"}
    )
    assert response.status_code == 409
