"""The reliability tests (tests/reliability) at RELIABILITY.md's full sizes, on SQLite and on PostgreSQL: pass counts
and the time each run took."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from tests.postgres import find_postgres_url

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_SECONDS = 1800
# R10's form fuzzing lives beside the forms it fuzzes; at full size each runs RELIABILITY.md's 500 examples.
R10_FUZZ = (
    "tests/web/test_citizen_bad_input.py::test_random_form_data_is_either_filed_once_or_refused_without_a_row",
    "tests/web/test_fuzz_staff_forms.py",
    "tests/web/api/test_api_schemathesis.py::test_r10_fuzzed_filings_at_full_size",
)


def _outcome(case: ElementTree.Element) -> str:
    if case.find("failure") is not None or case.find("error") is not None:
        return "failed"
    if case.find("skipped") is not None:
        return "skipped"
    figures = [f"{item.get('name')}: {item.get('value')}" for item in case.iter("property")]
    return "; ".join([f"passed in {float(case.get('time', 0)):.1f} s", *figures])


def _pytest(extra_env: dict[str, str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-reliability-") as scratch:
        report = Path(scratch) / "report.xml"
        env = {**os.environ, "RELIABILITY_FULL": "1", **extra_env}
        started = time.monotonic()
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                *R10_FUZZ,
                "tests/reliability",
                "-p",
                "no:cacheprovider",
                f"--junitxml={report}",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
        seconds = round(time.monotonic() - started, 1)
        suite = ElementTree.parse(report).getroot()  # noqa: S314 - the report pytest just wrote
        suite = suite if suite.tag == "testsuite" else suite[0]
        cases = {case.get("name"): _outcome(case) for case in suite.iter("testcase")}
    return {
        "exit_code": completed.returncode,
        "seconds": seconds,
        "tests": int(suite.get("tests", 0)),
        "failures": int(suite.get("failures", 0)) + int(suite.get("errors", 0)),
        "skipped": int(suite.get("skipped", 0)),
        "cases": cases,
        "output_tail": completed.stdout[-1500:] if completed.returncode else "",
    }


def run() -> dict:
    results = {"sqlite": _pytest({"TEST_DATABASE_URL": ""})}
    url = find_postgres_url()
    results["postgresql"] = (
        _pytest({"TEST_DATABASE_URL": url}) if url else "skipped: no PostgreSQL server (bash scripts/postgres.sh)"
    )
    return results
