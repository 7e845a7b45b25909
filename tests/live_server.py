"""gunicorn serving the app in a subprocess, and a small HTTP client for load from threads."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0


def default_workers() -> int:
    """The number of workers gunicorn.conf.py gives on this machine."""
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


def request(
    base_url: str,
    method: str,
    path: str,
    payload: object | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> Reply:
    """One HTTP request on a new connection (gunicorn's sync workers close each one); JSON in, JSON out."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        body = None if payload is None else json.dumps(payload)
        sent = {"Accept": "application/json", **(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/json"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        raw = response.read()
        try:
            parsed: Any = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return Reply(response.status, parsed, {k.lower(): v for k, v in response.getheaders()})
    finally:
        connection.close()


class LiveServer:
    """`gunicorn -c gunicorn.conf.py -w N --bind 127.0.0.1:PORT wsgi:app` against one database."""

    def __init__(self, *, database_url: str, workers: int, log_path: Path, env: dict[str, str]) -> None:
        self.database_url = database_url
        self.workers = workers
        self.log_path = log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = env
        self.process: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("GUNICORN", "WEB_"))}
        env.update(
            {
                "OBJECTIONS_ENV": "testing",
                "DATABASE_URL": self.database_url,
                "RATELIMIT_ENABLED": "0",
                "BASE_URL": self.url,
                "INSTANCE_PATH": str(self.log_path.parent / "live-instance"),  # not the developer's instance/
                "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": str(ROOT),
            }
        )
        env.update(self._env)
        return env

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "wsgi:app",
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.environment(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.wait_until_ready()

    def wait_until_ready(self) -> None:
        """Poll /healthz until it answers 200 and every worker is up."""
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            with contextlib.suppress(OSError):
                if request(self.url, "GET", "/healthz", timeout=5).status == 200 and self._workers_forked():
                    return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within {START_TIMEOUT} s:\n{self.log()[-3000:]}")

    def _workers_forked(self) -> bool:
        return len(self.worker_pids()) >= self.workers

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def worker_pids(self) -> list[int]:
        """The pids of the master's children (Linux /proc)."""
        assert self.process is not None
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                children.append(int(entry.name))
        return sorted(children)

    def kill_worker(self) -> int:
        """SIGKILL one worker; the master starts another in its place."""
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, as a crash of the machine's service would."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # the workers share the master's process group
        self.process.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        """Stop the server at once (SIGKILL to the master and its workers: nothing is left to flush)."""
        self.kill()
