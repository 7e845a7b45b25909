"""The operator's queue page with 1,000,000 objections (SQLite, signed in): the first page, a filtered page, a search
by reference and a page deep in the keyset pagination, each beside GET /healthz in the same run, as ratios."""

from __future__ import annotations

import logging
import os
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask_migrate import upgrade
from sqlalchemy import func, select

from bench.bench_supervisor import _app, _seed
from objections.extensions import db
from objections.models import Objection
from objections.services.queue import encode_cursor
from objections.services.users import create_user
from tests.auth_helpers import login_as

SIZE = int(os.environ.get("BENCH_QUEUE_SIZE", "1000000"))
REPEATS = 9
DEEP_OFFSET = 0.6  # the deep page starts 60 % of the way through the organisation's history
PASSWORD = "bench-password-0123"  # noqa: S105 - a throwaway account in a temporary database


def _references() -> Any:  # type: ignore[no-untyped-def]
    """OB-YYYY-NNNNNN, numbered from 1 within each year of receipt, as the reference counter issues them."""
    issued: Counter[int] = Counter()

    def reference(_i: int, received_at: datetime) -> str:
        issued[received_at.year] += 1
        return f"OB-{received_at.year}-{issued[received_at.year]:06d}"

    return reference


def _time(client: Any, path: str) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    """Median wall and CPU milliseconds of REPEATS requests after one warm-up, and the status."""
    status = client.get(path).status_code
    wall, cpu = [], []
    for _ in range(REPEATS):
        started, started_cpu = time.perf_counter(), time.process_time()
        status = client.get(path).status_code
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return round(statistics.median(wall), 2), round(statistics.median(cpu), 2), status


def _busiest_organization() -> tuple[int, int]:
    rows = db.session.execute(
        select(Objection.organization_id, func.count())
        .group_by(Objection.organization_id)
        .order_by(func.count().desc())
        .limit(1)
    ).one()
    return rows[0], rows[1]


def _pages(organization_id: int, cases: int) -> tuple[dict[str, str], str]:
    """The queue URLs measured: the default first page, a filtered one, a reference search and a deep page."""
    sample = db.session.scalar(
        select(Objection.reference)
        .where(Objection.organization_id == organization_id)
        .order_by(Objection.id)
        .offset(cases // 2)
        .limit(1)
    )
    deep = db.session.execute(
        select(Objection.received_at, Objection.id)
        .where(Objection.organization_id == organization_id)
        .order_by(Objection.received_at.desc(), Objection.id.desc())
        .offset(int(cases * DEEP_OFFSET))
        .limit(1)
    ).one()
    pages = {
        "first_page": "/cases/",
        "filtered_answered_web": "/cases/?" + urlencode({"status": "answered", "channel": "web"}),
        "filtered_all_breached": "/cases/?" + urlencode({"status": "all", "breached": "y"}),
        "search_by_reference": "/cases/?" + urlencode({"status": "all", "q": sample}),
        "deep_page_keyset": "/cases/?" + urlencode({"status": "all", "after": encode_cursor(deep[0], deep[1])}),
    }
    return pages, sample


def run() -> dict[str, Any]:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as directory:
        app = _app(Path(directory))
        with app.app_context():
            upgrade()
            now = datetime.now(UTC)
            started = time.perf_counter()
            seeded = _seed(SIZE, now, reference=_references())
            seeded["seed_seconds"] = round(time.perf_counter() - started, 1)
            organization_id, cases = _busiest_organization()
            slug = f"org-{organization_id:03d}"
            user = create_user(
                db.session, email="queue@bench.kz", password=PASSWORD, role="operator", organization_slug=slug
            )
            db.session.commit()
            client = app.test_client()
            client.set_cookie("lang", "en")
            login_as(client, user, password=PASSWORD)
            pages, sample = _pages(organization_id, cases)
            db.session.remove()
            if sample not in client.get(pages["search_by_reference"]).get_data(as_text=True):
                raise RuntimeError(f"the search did not find {sample}")
            healthz_wall, healthz_cpu, _status = _time(client, "/healthz")
            timings = {name: _time(client, path) for name, path in pages.items()}
            db.session.remove()
            db.engine.dispose()
    bad = {name: status for name, (_w, _c, status) in timings.items() if status != 200}
    if bad:
        raise RuntimeError(f"queue pages did not answer 200: {bad}")
    return {
        "objections": SIZE,
        "organisation_cases": cases,
        **seeded,
        "healthz_ms": {"wall": healthz_wall, "cpu": healthz_cpu},
        "page_ms": {name: wall for name, (wall, _cpu, _status) in timings.items()},
        "page_cpu_ms": {name: cpu for name, (_wall, cpu, _status) in timings.items()},
        "ratio_to_healthz": {name: round(wall / healthz_wall, 1) for name, (wall, _c, _s) in timings.items()},
        "cpu_ratio_to_healthz": {name: round(cpu / healthz_cpu, 1) for name, (_w, cpu, _s) in timings.items()},
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
