"""With CSRF protection on, as in production: a case action without the form's token is refused and changes
nothing; the case file's own forms carry the token."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from objections.models import Objection
from tests.auth_helpers import login_as
from tests.builders import make_objection, make_organization, make_user


def test_case_actions_need_the_forms_token(app, session, now) -> None:
    with time_machine.travel(now, tick=False):
        organization = make_organization(session)
        operator = make_user(session, organization=organization)
        case = make_objection(session, organization=organization, received_at=now - timedelta(hours=1))
        session.commit()
        client = app.test_client()
        login_as(client, operator)
        app.config["WTF_CSRF_ENABLED"] = True  # signed in; from here on every POST must carry the token
        refused = client.post(f"/cases/{case.reference}/assign", data={"assignee": "me"})
        assert refused.status_code == 400
        assert session.get(Objection, case.id).status == "received"
        page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        accepted = client.post(f"/cases/{case.reference}/assign", data={"assignee": "me", "csrf_token": token})
        assert accepted.status_code == 303
        session.expire_all()
        assert session.get(Objection, case.id).status == "in_review"
