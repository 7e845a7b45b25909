"""Supervisor overview and breach-log render times with 10,000 and 1,000,000 objections (SQLite, signed in)."""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
from flask import Flask
from flask_migrate import upgrade

from objections import create_app, crypto
from objections.domain import deadlines
from objections.domain.calendar import LOCAL_TZ, WorkingCalendar
from objections.extensions import db
from objections.services.users import create_user

SIZES = (10_000, 1_000_000)
PER_DAY = 550
"""Objections received per day across all organisations (about 200,000 a year): a bigger table is a longer history,
so the 30-day period holds about the same number of objections at either size, as it would in production."""
ORGANISATIONS = 40
REPEATS = 7
GOAL_MS = 300
PASSWORD = "bench-password-0123"  # noqa: S105 - a throwaway account in a temporary database
PAGES = {
    "overview": "/supervisor/",
    "overview_90_days": "/supervisor/?period=90",
    "breach_log": "/supervisor/breaches",
    "breach_log_longest_late": "/supervisor/breaches?sort=late",
    "organizations": "/supervisor/organizations",
}


def _stamp(moment: datetime) -> str:
    """The way SQLAlchemy stores a UTC datetime in SQLite."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _app(directory: Path) -> Flask:
    return create_app(
        {
            "OBJECTIONS_ENV": "testing",
            "TESTING": True,
            "INSTANCE_PATH": str(directory / "instance"),
            "DATABASE_URL": f"sqlite:///{directory / 'bench.db'}",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "bench-secret-key-0123456789abcdef",
            "DATA_KEY": "bench-data-key-0123456789abcdef",
        }
    )


def _seed(count: int, now: datetime, *, reference: Callable[[int, datetime], str] | None = None) -> dict[str, Any]:
    """Organisations, notices and operators through plain inserts, then `count` objections with executemany;
    `reference(i, received_at)` names the i-th objection (default BN-000000000 upward)."""
    rng = random.Random(19)
    connection = db.engine.raw_connection()
    cursor = connection.cursor()
    cursor.execute("BEGIN")
    created = _stamp(now)
    cursor.executemany(
        "INSERT INTO organizations (id, slug, bin, name_kk, name_ru, name_en, contact_email, active, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
        [
            (i, f"org-{i:03d}", f"{i:012d}", f"Ұйым {i}", f"Организация {i}", f"Organisation {i}", "c@x.kz", created)
            for i in range(1, ORGANISATIONS + 1)
        ],
    )
    text = json.dumps({"kk": "Скоринг", "ru": "Скоринг", "en": "Scoring"})
    cursor.executemany(
        "INSERT INTO processing_notices (id, organization_id, slug, version, is_current, published, title, "
        "decided_automatically, procedure, data_used, consequences, legal_basis, legal_basis_reference, risk_class, "
        "autonomy_class, how_to_object, how_to_protect, created_at) "
        "VALUES (?, ?, 'scoring', 1, 1, 1, ?, ?, ?, ?, ?, 'consent', ?, ?, 'assistive', ?, ?, ?)",
        [
            (i, i, *([text] * 6), ("low", "medium", "high")[i % 3], text, text, created)
            for i in range(1, ORGANISATIONS + 1)
        ],
    )
    cursor.executemany(
        "INSERT INTO users (id, email, full_name, password_hash, role, organization_id, language, active, "
        "totp_confirmed, session_version, failed_logins, created_at) "
        "VALUES (?, ?, ?, 'x', 'operator', ?, 'en', 1, 0, 1, 0, ?)",
        [(i, f"operator{i}@bench.kz", f"Operator {i}", i, created) for i in range(1, ORGANISATIONS + 1)],
    )
    iin = crypto.keyring().encrypt("900101300017")
    iin_index = crypto.keyring().blind_index("900101300017")
    calendar = WorkingCalendar(())
    by_day: dict[date, deadlines.Deadline] = {}
    span = timedelta(days=count / PER_DAY)
    start = now - span
    step = span / count
    rows = []
    for i in range(count):
        received_at = start + step * i + timedelta(seconds=rng.randint(0, 59))
        day = received_at.astimezone(LOCAL_TZ).date()
        if day not in by_day:
            by_day[day] = deadlines.compute(received_at, calendar, deadlines.Policy.CALENDAR_DAYS)
        deadline = by_day[day]
        deadline_at = deadline.deadline_at
        organization = 1 + int(rng.random() ** 1.5 * ORGANISATIONS)  # some organisations get far more objections
        answered_at = withdrawn_at = closed_at = appealed_at = None
        status = "received"
        roll = rng.random()
        if roll < 0.03:
            status, withdrawn_at = "withdrawn", received_at + timedelta(hours=2)
            closed_at = withdrawn_at
        elif deadline_at <= now and roll < 0.04:
            status = "in_review"  # left unanswered: overdue now
        elif roll < 0.10 and deadline_at + timedelta(hours=72) <= now:
            answered_at = deadline_at + timedelta(minutes=rng.randint(0, 72 * 60))
        else:
            answered_at = received_at + (deadline_at - received_at) * rng.uniform(0.05, 0.95)
            if answered_at > now:
                answered_at = None
                status = "in_review"
        if answered_at is not None:
            status = "closed" if answered_at + timedelta(days=30) <= now else "answered"
            closed_at = answered_at + timedelta(days=30) if status == "closed" else None
            appealed_at = answered_at + timedelta(days=1) if rng.random() < 0.02 else None
        rows.append(
            (
                reference(i, received_at) if reference else f"BN-{i:09d}",
                "h",
                organization,
                organization if rng.random() < 0.9 else None,
                "Aigerim Test",
                iin,
                iin_index,
                "en",
                "Grounds",
                "[]",
                "web",
                _stamp(received_at),
                _stamp(deadline_at),
                deadline.last_day.isoformat(),
                "calendar_days",
                status,
                organization if status != "received" and status != "withdrawn" else None,
                _stamp(answered_at) if answered_at else None,
                _stamp(answered_at) if answered_at else None,
                _stamp(appealed_at) if appealed_at else None,
                _stamp(withdrawn_at) if withdrawn_at else None,
                _stamp(closed_at) if closed_at else None,
                "rejected" if answered_at else None,
                _stamp(received_at),
            )
        )
        if len(rows) == 50_000:
            _insert(cursor, rows)
            rows = []
    _insert(cursor, rows)
    cursor.execute("COMMIT")
    cursor.close()
    connection.close()
    return {"days_of_history": round(span / timedelta(days=1), 1)}


def _insert(cursor: Any, rows: list[tuple]) -> None:
    cursor.executemany(
        "INSERT INTO objections (reference, access_code_hash, organization_id, notice_id, full_name, iin, iin_index, "
        "language, grounds, remedies, channel, received_at, deadline_at, last_day, deadline_policy, status, "
        "assignee_id, decided_at, answered_at, appealed_at, withdrawn_at, closed_at, outcome, created_at, row_version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        rows,
    )


def _sign_in(app: Flask) -> Any:
    user = create_user(db.session, email="supervisor@bench.kz", password=PASSWORD, role="supervisor")
    db.session.commit()
    client = app.test_client()
    client.set_cookie("lang", "en")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    response = client.post("/login/code", data={"code": pyotp.TOTP(user.totp_secret).now()})
    if response.status_code != 302:
        raise RuntimeError("the bench could not sign in")
    return client


def _measure(client: Any, path: str) -> tuple[float, float]:
    """The median wall time and CPU time of REPEATS renders, in milliseconds, after one warm-up render.

    The CPU time (the database runs in this process) says more than the wall time on a busy machine."""
    client.get(path)
    wall, cpu = [], []
    for _ in range(REPEATS):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    return round(statistics.median(wall), 1), round(statistics.median(cpu), 1)


def run_size(count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        app = _app(Path(directory))
        with app.app_context():
            upgrade()
            now = datetime.now(UTC)
            started = time.perf_counter()
            seeded = _seed(count, now)
            seeded["seed_seconds"] = round(time.perf_counter() - started, 1)
            client = _sign_in(app)
            timings = {name: _measure(client, path) for name, path in PAGES.items()}
            db.session.remove()
            db.engine.dispose()
    return {
        "objections": count,
        **seeded,
        "render_ms": {name: wall for name, (wall, _cpu) in timings.items()},
        "render_cpu_ms": {name: cpu for name, (_wall, cpu) in timings.items()},
    }


def run() -> dict[str, Any]:
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    results = {f"{count:,}": run_size(count) for count in SIZES}
    small, large = (results[f"{count:,}"]["render_ms"] for count in SIZES)
    small_cpu, large_cpu = (results[f"{count:,}"]["render_cpu_ms"] for count in SIZES)
    ratios = {name: round(large[name] / small[name], 2) for name in PAGES}
    return {
        **results,
        "ratio_1m_to_10k": ratios,
        "cpu_ratio_1m_to_10k": {name: round(large_cpu[name] / small_cpu[name], 2) for name in PAGES},
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "goal": f"under {GOAL_MS} ms at a million and within 3x of the 10,000 figure",
        "goal_met": all(large[name] < GOAL_MS and ratios[name] <= 3 for name in ("overview", "breach_log")),
    }
