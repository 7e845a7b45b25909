"""The one place the edges read the time; services and domain take `now` as an argument."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current moment, timezone-aware UTC (tests move it with time-machine)."""
    return datetime.now(UTC)
