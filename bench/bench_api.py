"""Filing through the API under gunicorn on SQLite and PostgreSQL beside the no-op GET /api/v1/ping (the ceiling)
and GET /healthz, 20 connections: throughput, p50/p95 latency, their ratio, exactly-once counts, and a web worker's
resident memory. BENCH_ENGINES=sqlite (or postgresql) runs one engine; BENCH_WORKERS=N sets gunicorn's workers,
BENCH_THREADS=N its threads per worker (gthread); BENCH_KEEPALIVE=1 keeps each client connection open between
requests (when the server allows it)."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import platform
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask_migrate import upgrade
from sqlalchemy import func, select

from objections import create_app
from objections.extensions import db
from objections.models import Objection
from tests.builders import make_notice, make_organization
from tests.conftest import TEST_KEYS, app_config
from tests.live_server import LiveServer, default_workers, request
from tests.postgres import PostgresServer, find_postgres_url
from tests.reliability.workload import FILING_ENDPOINT, filing_payload

CONNECTIONS = 20
CLIENT_PROCESSES = 4  # 4 processes x 5 threads: one Python process alone cannot keep 20 connections busy
CEILING_REQUESTS = 3000
CEILING_ENDPOINT = "/api/v1/ping"
FILINGS = 1000
WARM_UP = 100
WORKERS = int(os.environ.get("BENCH_WORKERS", "0")) or None  # None: gunicorn.conf.py's default (2 x cores + 1)
ENGINES = os.environ.get("BENCH_ENGINES", "sqlite,postgresql").split(",")
KEEPALIVE = os.environ.get("BENCH_KEEPALIVE", "") == "1"
THREADS = int(os.environ.get("BENCH_THREADS", "0")) or None  # None: gunicorn.conf.py's (sync workers)
GOALS = {"filing_share_of_ceiling": 0.40, "filing_p95_ms": 100.0, "worker_rss_mb": 100.0}


class _Connection:
    """One client connection kept open across requests; opened again when the server closes it."""

    def __init__(self, base_url: str) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self._connection = http.client.HTTPConnection(host, int(port), timeout=30)

    def send(self, method: str, path: str, payload: object | None) -> int:
        headers = {"Accept": "application/json"}
        body = None
        if payload is not None:
            body = json.dumps(payload)
            headers["Content-Type"] = "application/json"
        try:
            self._connection.request(method, path, body=body, headers=headers)
            response = self._connection.getresponse()
            response.read()
        except (http.client.HTTPException, OSError):
            self._connection.close()
            raise OSError("request failed") from None
        if response.will_close:
            self._connection.close()
        return response.status


def _client_process(base_url: str, method: str, path: str, slug: str | None, numbers: list[int], threads: int):  # type: ignore[no-untyped-def]
    """Send the requests numbered `numbers` from `threads` threads; (latencies in s, statuses, start, end)."""
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    shares = [numbers[i::threads] for i in range(threads)]

    def work(share: list[int]) -> None:
        connection = _Connection(base_url) if KEEPALIVE else None
        for n in share:
            payload = filing_payload(slug, n) if slug else None
            began = time.monotonic()
            try:
                if connection is not None:
                    status = connection.send(method, path, payload)
                else:
                    status = request(base_url, method, path, payload).status
            except OSError:
                status = 0
            took = time.monotonic() - began
            with lock:
                latencies.append(took)
                statuses.append(status)

    started, started_cpu = time.monotonic(), time.process_time()
    workers = [threading.Thread(target=work, args=(share,)) for share in shares]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, statuses, started, time.monotonic(), time.process_time() - started_cpu


def _load(server: LiveServer, method: str, path: str, *, count: int, first: int = 0, slug: str | None = None) -> dict:
    """`count` requests from CONNECTIONS client threads; with the CPU time the server and the clients spent per
    request, which other work on a shared machine changes far less than it changes the throughput."""
    base_url = server.url
    numbers = list(range(first, first + count))
    server_cpu = _cpu_seconds(server)
    per_process = CONNECTIONS // CLIENT_PROCESSES
    context = multiprocessing.get_context("fork")
    with context.Pool(CLIENT_PROCESSES) as pool:
        parts = pool.starmap(
            _client_process,
            [
                (base_url, method, path, slug, numbers[i::CLIENT_PROCESSES], per_process)
                for i in range(CLIENT_PROCESSES)
            ],
        )
    server_cpu = _cpu_seconds(server) - server_cpu
    latencies = sorted(latency for part in parts for latency in part[0])
    statuses = [status for part in parts for status in part[1]]
    wall = max(part[3] for part in parts) - min(part[2] for part in parts)
    return {
        "requests": count,
        "connections": CONNECTIONS,
        "seconds": round(wall, 2),
        "per_second": round(count / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "statuses": {str(status): statuses.count(status) for status in sorted(set(statuses))},
        "server_cpu_ms_per_request": round(server_cpu / count * 1000, 2),
        "client_cpu_ms_per_request": round(sum(part[4] for part in parts) / count * 1000, 2),
    }


def _cpu_seconds(server: LiveServer) -> float:
    """User + system CPU time of gunicorn's master and workers so far (Linux /proc)."""
    assert server.process is not None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in [server.process.pid, *server.worker_pids()]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _shared_and_own_mb(pid: int) -> tuple[float, float]:
    """(PSS, USS) in MB: resident memory with shared pages split among their users, and the pages only this
    process holds (what one more worker costs)."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _sep, rest = line.partition(":")
        fields[name] = int(rest.split()[0])
    return round(fields["Pss"] / 1024, 1), round((fields["Private_Clean"] + fields["Private_Dirty"]) / 1024, 1)


def _seed(url: str, folder: Path) -> str:
    app = create_app(app_config(folder, url))
    with app.app_context():
        upgrade()
        organization = make_organization(db.session)
        make_notice(db.session, organization)
        slug = organization.slug
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return slug


def _count(url: str, folder: Path) -> tuple[int, int]:
    app = create_app(app_config(folder, url))
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(Objection))
        distinct = db.session.scalar(select(func.count(func.distinct(Objection.reference))))
        db.session.remove()
        db.engine.dispose()
    return rows or 0, distinct or 0


def _measure(engine: str, url: str, folder: Path) -> dict[str, Any]:
    slug = _seed(url, folder)
    workers = WORKERS or default_workers()
    env = dict(TEST_KEYS, **({"GUNICORN_THREADS": str(THREADS)} if THREADS else {}))
    server = LiveServer(database_url=url, workers=workers, log_path=folder / "gunicorn.log", env=env)
    server.start()
    try:
        rss_started = [_rss_mb(pid) for pid in server.worker_pids()]
        _load(server, "GET", CEILING_ENDPOINT, count=WARM_UP)
        _load(server, "GET", "/healthz", count=WARM_UP)
        _load(server, "POST", FILING_ENDPOINT, count=WARM_UP, first=10_000_000, slug=slug)
        ceiling = _load(server, "GET", CEILING_ENDPOINT, count=CEILING_REQUESTS)
        healthz = _load(server, "GET", "/healthz", count=CEILING_REQUESTS)
        filing = _load(server, "POST", FILING_ENDPOINT, count=FILINGS, slug=slug)
        rss = [_rss_mb(pid) for pid in server.worker_pids()]
        pss, uss = zip(*(_shared_and_own_mb(pid) for pid in server.worker_pids()), strict=True)
    finally:
        server.stop()
    rows, distinct = _count(url, folder)
    share = filing["per_second"] / ceiling["per_second"]
    return {
        "engine": engine,
        "gunicorn_workers": workers,
        "gunicorn_threads": THREADS or 1,
        "client_keepalive": KEEPALIVE,
        "ceiling_get_api_v1_ping": ceiling,
        "get_healthz": healthz,
        "filing_post_api_v1_objections": filing,
        "filing_share_of_ceiling": round(share, 3),
        "filing_share_of_healthz": round(filing["per_second"] / healthz["per_second"], 3),
        "exactly_once": {
            "filed_201": filing["statuses"].get("201", 0),
            "objections_in_database": rows - WARM_UP,
            "distinct_references": distinct - WARM_UP,
        },
        "worker_rss_mb": {
            "max": max(rss),
            "mean": round(statistics.mean(rss), 1),
            "when_started_max": max(rss_started),
        },
        "worker_pss_mb_mean": round(statistics.mean(pss), 1),
        "worker_uss_mb_mean": round(statistics.mean(uss), 1),
        "goals_met": {
            "filing_share_of_ceiling": share >= GOALS["filing_share_of_ceiling"],
            "filing_p95_ms": filing["p95_ms"] <= GOALS["filing_p95_ms"],
            "worker_rss_mb": max(rss) < GOALS["worker_rss_mb"],
        },
    }


def _measure_postgresql(folder: Path) -> dict[str, Any] | str:
    postgres_url = find_postgres_url()
    if postgres_url is None:
        return "skipped: no PostgreSQL server (run `bash scripts/postgres.sh` first)"
    server = PostgresServer(postgres_url, migrate=lambda _url: None)
    name = f"objbench_{os.getpid()}"
    server.drop_database(name)
    server.create_empty_database(name)
    try:
        (folder / "postgresql").mkdir()
        return _measure("postgresql", server.url_for(name), folder / "postgresql")
    finally:
        server.drop_database(name)
        server.close()


def run() -> dict:
    results: dict[str, Any] = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_before": os.getloadavg()[0],
        "goals": GOALS,
    }
    with tempfile.TemporaryDirectory(prefix="bench-api-") as scratch:
        folder = Path(scratch)
        if "sqlite" in ENGINES:
            (folder / "sqlite").mkdir()
            results["sqlite"] = _measure("sqlite", f"sqlite:///{folder / 'sqlite' / 'bench.db'}", folder / "sqlite")
        if "postgresql" in ENGINES:
            results["postgresql"] = _measure_postgresql(folder)
    return results
