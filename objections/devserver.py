"""`make run`: the scheduler as a second process beside the development server, both stopped together."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

from wsgi import app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", app.config["PORT"])))
    parser.add_argument("--no-scheduler", action="store_true")
    args = parser.parse_args()
    scheduler = None
    if not args.no_scheduler and "scheduler" in app.cli.commands:
        scheduler = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"])
    try:
        app.run(host="127.0.0.1", port=args.port, use_reloader=False, threaded=True)
    finally:
        if scheduler is not None:
            scheduler.send_signal(signal.SIGTERM)
            scheduler.wait(timeout=10)


if __name__ == "__main__":
    main()
