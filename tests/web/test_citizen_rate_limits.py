"""Rate limits per IP on the filing form, the tracking lookup and the link re-send (Flask-Limiter)."""

from __future__ import annotations

import pytest


@pytest.fixture
def config_overrides() -> dict:
    return {"RATELIMIT_ENABLED": True}


def post_many(client, path: str, data: dict, times: int, address: str = "192.0.2.10") -> list[int]:  # type: ignore[no-untyped-def]
    return [client.post(path, data=data, environ_base={"REMOTE_ADDR": address}).status_code for _ in range(times)]


@pytest.mark.parametrize(
    ("path", "data", "allowed"),
    [
        ("/objections/new", {"grounds": ""}, 10),
        ("/track", {"reference": "OB-2026-000001", "access_code": "WRONG"}, 20),
        ("/track/resend", {"reference": "OB-2026-000001", "email": "a@example.kz"}, 5),
    ],
)
def test_each_form_is_limited_per_address(client, path, data, allowed) -> None:  # type: ignore[no-untyped-def]
    codes = post_many(client, path, data, allowed + 1)
    assert 429 not in codes[:allowed]
    assert codes[allowed] == 429
    assert post_many(client, path, data, 1, address="192.0.2.99") != [429]


def test_reading_pages_is_not_limited(client) -> None:  # type: ignore[no-untyped-def]
    assert {client.get("/track").status_code for _ in range(30)} == {200}


def test_the_limit_comes_from_configuration(app, client) -> None:  # type: ignore[no-untyped-def]
    app.config["FILING_RATE_LIMIT"] = "2/minute"
    assert post_many(client, "/objections/new", {}, 3) == [422, 422, 429]


def test_the_refusal_is_a_page_not_a_crash(client) -> None:  # type: ignore[no-untyped-def]
    post_many(client, "/track/resend", {"reference": "x", "email": "y"}, 5)
    response = client.post("/track/resend", data={}, environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert response.status_code == 429
    assert "<html" in response.get_data(as_text=True)
