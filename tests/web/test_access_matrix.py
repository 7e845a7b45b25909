"""R13: every route declares an access rule, and each rule holds for anonymous users and every role; another
organisation's objection is never reachable (404)."""

from __future__ import annotations

import pytest
from flask import Flask

from objections.domain.permissions import NEEDS_SIGN_IN, Access, may
from objections.web.authz import access_rule_of, check_every_view_has_a_rule
from tests.auth_helpers import login_as
from tests.builders import make_notice, make_objection, make_organization, make_user

SAMPLE_ARGUMENTS = {
    "action": "reset_second_factor",
    "token": "not-a-token",
    "kind": "breaches",
    "fmt": "csv",
    "format": "csv",
    "filename": "x",
}


def test_every_route_declares_an_access_rule(app: Flask) -> None:
    assert check_every_view_has_a_rule(app) == []


def _routes(app: Flask):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        yield rule, method, access_rule_of(app, rule.endpoint)


def _url(rule, reference: str, organization, notice) -> str:
    values = {}
    for name in rule.arguments:
        if name == "reference":
            values[name] = reference
        elif name in ("org_slug", "organization_slug", "slug"):
            values[name] = organization.slug
        elif name == "notice_slug":
            values[name] = notice.slug
        elif name in SAMPLE_ARGUMENTS:
            values[name] = SAMPLE_ARGUMENTS[name]
        else:
            values[name] = 1
    return rule.build(values)[1]


@pytest.fixture
def world(session, now):
    home = make_organization(session, slug="home-org")
    other = make_organization(session, slug="other-org")
    notice = make_notice(session, home)
    make_notice(session, other)
    case = make_objection(session, organization=home, received_at=now, status="in_review")
    users = {
        "operator": make_user(session, role="operator", organization=home),
        "org_admin": make_user(session, role="org_admin", organization=home),
        "supervisor": make_user(session, role="supervisor"),
        "admin": make_user(session, role="admin"),
    }
    foreign_operator = make_user(session, role="operator", organization=other)
    session.commit()
    return {"home": home, "notice": notice, "case": case, "users": users, "foreign": foreign_operator}


def _call(client, method: str, url: str):
    return client.open(url, method=method, data={} if method != "GET" else None)


def test_anonymous_users_are_sent_to_sign_in_on_every_staff_route(app, world) -> None:
    client = app.test_client()
    checked = 0
    for rule, method, access in _routes(app):
        if access not in NEEDS_SIGN_IN:
            continue
        url = _url(rule, world["case"].reference, world["home"], world["notice"])
        response = _call(client, method, url)
        checked += 1
        if url.startswith("/api/"):
            assert response.status_code == 401, (url, response.status_code)
        else:
            assert response.status_code == 302, (url, response.status_code)
            assert "/login" in response.headers["Location"], url
    assert checked >= 20


@pytest.mark.parametrize("role", ["operator", "org_admin", "supervisor", "admin"])
def test_each_role_reaches_exactly_the_routes_its_rule_allows(app, world, role) -> None:
    client = app.test_client()
    login_as(client, world["users"][role])
    for rule, method, access in _routes(app):
        if access not in NEEDS_SIGN_IN or rule.rule.startswith("/api/") or rule.endpoint == "auth.logout":
            continue
        url = _url(rule, world["case"].reference, world["home"], world["notice"])
        response = _call(client, method, url)
        assert response.status_code < 500, (role, url, response.status_code)
        if may(role, access):
            assert response.status_code != 403, (role, url)
            assert "/login" not in response.headers.get("Location", ""), (role, url)
        else:
            assert response.status_code == 403, (role, url, response.status_code)


def test_another_organisations_operator_gets_404_on_every_case_route(app, world) -> None:
    client = app.test_client()
    login_as(client, world["foreign"])
    checked = 0
    for rule, method, access in _routes(app):
        if "reference" not in rule.arguments or (
            access is not Access.ORGANISATION and access is not Access.ORGANISATION_ADMIN
        ):
            continue
        if rule.rule.startswith("/api/"):
            continue
        url = _url(rule, world["case"].reference, world["home"], world["notice"])
        response = _call(client, method, url)
        checked += 1
        assert response.status_code == 404, (url, response.status_code)
    assert checked >= 5


# Who may use each area, written out independently of domain/permissions.py so that a wrong rule there fails here.
EXPECTED_ROLES_BY_BLUEPRINT = {
    "operator": {"operator", "org_admin"},
    "supervisor": {"supervisor", "admin"},
    "admin": {"admin"},
    "account": {"operator", "org_admin", "supervisor", "admin"},
}
ORG_ADMIN_ONLY = {
    "operator.templates",
    "operator.edit_template",
    "operator.delete_template",
    "operator.notices",
    "operator.new_notice",
    "operator.notice",
    "operator.edit_notice",
    "operator.publish_notice",
    "operator.unpublish_notice",
    "operator.team",
    "operator.invite_member",
    "operator.team_action",
}
ORGANISATION_STAFF_ONLY = {"account.issue_token", "account.revoke_token"}


def test_the_areas_admit_the_roles_they_are_meant_for(app) -> None:
    for rule, _method, access in _routes(app):
        blueprint = rule.endpoint.split(".")[0]
        if blueprint not in EXPECTED_ROLES_BY_BLUEPRINT:
            continue
        expected = EXPECTED_ROLES_BY_BLUEPRINT[blueprint]
        if rule.endpoint in ORG_ADMIN_ONLY:
            expected = {"org_admin"}
        elif rule.endpoint in ORGANISATION_STAFF_ONLY:
            expected = {"operator", "org_admin"}
        allowed = {role for role in ("operator", "org_admin", "supervisor", "admin") if may(role, access)}
        assert allowed == expected, (rule.endpoint, allowed)
        assert not may(None, access), rule.endpoint
