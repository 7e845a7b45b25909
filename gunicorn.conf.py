"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app` (see docs/DEPLOYMENT.md)."""

import multiprocessing
import os

MAX_DEFAULT_WORKERS = 8


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Where to listen: behind a reverse proxy on the same host, loopback. GUNICORN_BIND overrides, e.g. a Unix socket
# (unix:/run/objections/web.sock) or 0.0.0.0:PORT on a platform that routes to the port itself.
bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 5000)}"

# Sync workers, each a process with its own database connections: 2 x cores + 1, at most 8 unless WEB_CONCURRENCY
# says otherwise. More workers than that only queue on the database (SQLite takes one writer at a time).
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, MAX_DEFAULT_WORKERS))
# GUNICORN_THREADS=N (N > 1) runs each worker as gunicorn's threaded worker (gthread) with N threads, which also
# keeps client connections open between requests (see bench/RESULTS.md for what it changes).
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# The workers only serve HTTP: create_app() then registers neither the CLI (APScheduler comes with the scheduler's
# commands) nor Flask-Migrate (Alembic, Mako, Pygments), about 12 MB less per worker. Migrations and every command
# run through `flask --app wsgi ...`, which keeps them.
raw_env = ["OBJECTIONS_WEB_WORKER=1"]

# No app preloading: every worker imports the app and opens its own database pool after the fork, so no
# connection (or SQLite file handle) is ever shared between processes.
preload_app = False

# A request that takes longer than this is killed; a stop or reload lets running requests finish first.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5

# Recycle workers now and then so a slow leak never grows without bound; jitter keeps them from restarting together.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)

# Logs to standard output and error (journald or the platform collects them). ACCESS_LOG=off turns the access log
# off; the request time is logged in milliseconds.
accesslog = None if os.environ.get("ACCESS_LOG", "").lower() in {"off", "0", "false", "no"} else "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")

# Trust X-Forwarded-* only from the reverse proxy on this host (FORWARDED_ALLOW_IPS widens it).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Request size limits at the edge; the app caps bodies with MAX_CONTENT_LENGTH.
limit_request_line = 8190
limit_request_fields = 100

# No control socket: several servers (and tests) may run side by side for one user.
control_socket_disable = True
proc_name = "objections-web"
