"""Checklist 32: every request has an id, sent back in X-Request-ID, written into its security events and shown on
the 500 page, whose logged exception carries the same id."""

from __future__ import annotations

import json
import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from objections.security_log import SECURITY_LOGGER, installed_handler

GENERATED = re.compile(r"[0-9a-f]{16}")


def test_every_response_carries_a_fresh_request_id(client: FlaskClient) -> None:
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/login").headers["X-Request-ID"]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second)
    assert first != second


def test_behind_a_proxy_its_well_formed_request_id_is_kept_and_sent_back(app: Flask, client: FlaskClient) -> None:
    app.config["PROXY_FIX"] = 1
    for incoming in ("support-case.42_A", "x" * 64):
        assert client.get("/", headers={"X-Request-ID": incoming}).headers["X-Request-ID"] == incoming


def test_without_a_proxy_a_clients_request_id_is_not_taken_over(client: FlaskClient) -> None:
    sent_back = client.get("/", headers={"X-Request-ID": "someone-elses-id"}).headers["X-Request-ID"]
    assert GENERATED.fullmatch(sent_back)


@pytest.mark.parametrize("incoming", ["x" * 65, "has space", "semi;colon", "<script>", "ключ", ""])
def test_a_malformed_incoming_request_id_is_replaced(client: FlaskClient, incoming: str) -> None:
    sent_back = client.get("/", headers={"X-Request-ID": incoming}).headers["X-Request-ID"]
    assert GENERATED.fullmatch(sent_back)


def test_the_request_id_is_in_the_security_event_of_that_request(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["PROXY_FIX"] = 1
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    response = client.post(
        "/login",
        data={"email": "nobody@example.kz", "password": "wrong-password-123"},
        headers={"X-Request-ID": "from-the-proxy-7"},
    )
    assert response.headers["X-Request-ID"] == "from-the-proxy-7"
    (event,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == SECURITY_LOGGER]
    assert event["request_id"] == "from-the-proxy-7"


class TestUnexpectedErrors:
    @pytest.fixture
    def config_overrides(self) -> dict:
        return {"PROPAGATE_EXCEPTIONS": False, "PROXY_FIX": 1}

    @pytest.fixture
    def failing(self, app: Flask) -> FlaskClient:
        @app.get("/boom-for-test")
        def boom() -> str:
            raise RuntimeError("secret internal detail\n2026-01-01 INFO admin logged in")

        return app.test_client()

    def test_the_500_page_shows_the_request_id_that_the_logged_exception_carries(
        self, failing: FlaskClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO, logger="objections")
        response = failing.get("/boom-for-test")
        body = response.get_data(as_text=True)
        assert response.status_code == 500
        request_id = response.headers["X-Request-ID"]
        assert GENERATED.fullmatch(request_id)
        assert f"Reference for support: {request_id}" in body
        assert "Traceback" not in body and "secret internal detail" not in body
        (logged,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert logged.name == "objections.errors" and logged.exc_info is not None
        assert request_id in logged.getMessage() and logged.request_id == request_id
        line = installed_handler().format(logged)
        assert "\n" not in line
        written = json.loads(line)
        assert written["request_id"] == request_id and written["level"] == "ERROR"
        assert "RuntimeError: secret internal detail" in written["exception"]

    def test_an_incoming_request_id_is_the_one_on_the_error_page(self, failing: FlaskClient) -> None:
        response = failing.get("/boom-for-test", headers={"X-Request-ID": "support-case-9"})
        assert response.headers["X-Request-ID"] == "support-case-9"
        assert "Reference for support: support-case-9" in response.get_data(as_text=True)

    def test_the_reference_is_worded_in_kazakh_and_russian(self, failing: FlaskClient) -> None:
        kazakh = failing.get("/boom-for-test", headers={"Accept-Language": "kk"})
        assert f"Қолдау қызметіне арналған нөмір: {kazakh.headers['X-Request-ID']}" in kazakh.get_data(as_text=True)
        russian = failing.get("/boom-for-test", headers={"Accept-Language": "ru"})
        assert f"Номер для службы поддержки: {russian.headers['X-Request-ID']}" in russian.get_data(as_text=True)


def test_a_refused_page_shows_no_support_reference(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "X-Request-ID" in response.headers
    assert "Reference for support" not in response.get_data(as_text=True)
