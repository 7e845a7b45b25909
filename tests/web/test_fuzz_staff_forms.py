"""R10 for the staff forms: thousands of odd inputs to sign-in and the decision form, never a 500 and never a
change that the input did not earn."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from objections.models import Objection
from tests.auth_helpers import login_as
from tests.builders import make_objection, make_organization, make_user
from tests.reliability.workload import fuzz_examples

FUZZ = settings(
    max_examples=fuzz_examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


@FUZZ
@given(email=text, password=text, code=text)
def test_sign_in_never_fails_with_a_server_error_and_never_admits_a_stranger(app, email, password, code) -> None:
    client = app.test_client()
    first = client.post("/login", data={"email": email, "password": password})
    assert first.status_code in (200, 302, 400, 401, 429)
    second = client.post("/login/code", data={"code": code})
    assert second.status_code in (200, 302, 400, 429)
    with client.session_transaction() as cookie_session:
        assert "_user_id" not in cookie_session


OUTCOMES = st.sampled_from(
    ["rejected", "upheld_processing_stopped", "duplicate", "forwarded", "partially_upheld", "nonsense", ""]
)


@FUZZ
@given(outcome=OUTCOMES, ground=text, reasoning=text, actions=text, extra=text)
def test_the_decision_form_answers_every_input_without_a_server_error(
    app, session, now, outcome, ground, reasoning, actions, extra
) -> None:
    organization = make_organization(session)
    operator = make_user(session, organization=organization)
    case = make_objection(session, organization=organization, received_at=now, status="in_review", operator=operator)
    session.commit()
    client = app.test_client()
    login_as(client, operator)
    response = client.post(
        f"/cases/{case.reference}/decision",
        data={
            "outcome": outcome,
            "ground": ground,
            "reasoning": reasoning,
            "actions_taken": actions,
            "duplicate_of": extra,
            "forward_to": extra,
            "language": extra[:2],
            "action": "preview",
        },
    )
    assert response.status_code < 500
    status = session.scalar(select(Objection.status).where(Objection.id == case.id))
    assert status in ("in_review", "decided", "answered")
