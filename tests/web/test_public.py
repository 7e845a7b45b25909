"""/healthz, the home page and the language switcher."""


def test_healthz_answers_ok_once_the_database_answers(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert "last_sweep_at" in response.json


def test_home_page_is_kazakh_by_default(client) -> None:
    response = client.get("/", headers={"Accept-Language": "de"})
    assert response.status_code == 200
    assert b'<html lang="kk">' in response.data


def test_accept_language_picks_russian(client) -> None:
    response = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert b'<html lang="ru">' in response.data


def test_language_switch_is_remembered_in_a_cookie(app) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    response = client.post("/language", data={"language": "en", "next": "/"})
    assert response.status_code == 302
    assert b'<html lang="en">' in client.get("/").data


def test_language_switch_refuses_an_offsite_next(app) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    response = app.test_client().post("/language", data={"language": "en", "next": "//evil.example"})
    assert response.headers["Location"] == "/"


def test_security_headers_on_pages(client) -> None:
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_page_is_a_friendly_404(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"<html" in response.data


def test_method_not_allowed_keeps_the_allow_header(client) -> None:
    response = client.delete("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_error_pages_speak_the_page_language(client) -> None:
    response = client.get("/no-such-page", headers={"Accept-Language": "ru"})
    assert response.status_code == 404
    assert "Страница не найдена" in response.data.decode()
    assert "Not Found" not in response.data.decode()


def test_the_language_switch_on_a_page_a_form_produced_returns_to_the_form_page(app) -> None:
    """A page that only a POST reaches (a confirmation, a form with errors) cannot be asked for again: the switch
    brings the visitor back to the page the form was on, never to an address that answers 405."""
    import re

    client = app.test_client()
    page = client.post(
        "/track", data={"reference": "OB-2026-000001", "code": "x"}, headers={"Referer": "http://localhost/track?x=1"}
    ).get_data(as_text=True)
    assert re.search(r'name="next" value="/track\?x=1"', page)
    offsite = client.post("/track", data={}, headers={"Referer": "http://evil.example/track"}).get_data(as_text=True)
    assert 'name="next" value="/"' in offsite
    assert 'name="next" value="/notices?q=bank"' in client.get("/notices?q=bank").get_data(as_text=True)
