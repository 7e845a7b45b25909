"""Profile filings through the API in process (Flask test client, SQLite): `python -m bench.profile_filing [N]`.
Not a benchmark of record: it prints the CPU milliseconds of a filing beside GET /healthz and GET /api/v1/ping,
then where a filing's time goes (cProfile; SORT=tottime and LINES=N change the listing)."""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from objections import create_app
from objections.extensions import db
from tests.builders import make_notice, make_organization, make_user
from tests.conftest import app_config
from tests.reliability.workload import FILING_ENDPOINT, filing_payload


def _timed(client, method: str, path: str, count: int, body=None) -> float:  # type: ignore[no-untyped-def]
    began = time.thread_time()
    for n in range(count):
        reply = client.open(path, method=method, json=body(n) if body else None)
        assert reply.status_code < 300, (reply.status_code, reply.get_data(as_text=True)[:300])
    return (time.thread_time() - began) / count * 1000


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory(prefix="profile-") as scratch:
        folder = Path(scratch)
        app = create_app(app_config(folder, folder / "p.db", TESTING=False))
        with app.app_context():
            upgrade()
            organization = make_organization(db.session)
            make_notice(db.session, organization)
            make_user(db.session, role="operator", organization=organization)
            slug = organization.slug
            db.session.commit()
            db.session.remove()
        client = app.test_client()
        payload = lambda n: filing_payload(slug, n)  # noqa: E731
        _timed(client, "POST", FILING_ENDPOINT, 50, payload)
        ping = "/api/v1/ping" if any(r.rule == "/api/v1/ping" for r in app.url_map.iter_rules()) else None
        print(f"healthz      {_timed(client, 'GET', '/healthz', count):.2f} ms CPU")
        if ping:
            print(f"api ping     {_timed(client, 'GET', ping, count):.2f} ms CPU")
        print(f"filing       {_timed(client, 'POST', FILING_ENDPOINT, count, lambda n: payload(n + 1000)):.2f} ms CPU")
        profiler = cProfile.Profile()
        profiler.enable()
        _timed(client, "POST", FILING_ENDPOINT, count, lambda n: payload(n + 100_000))
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("LINES", "60")))


if __name__ == "__main__":
    main()
