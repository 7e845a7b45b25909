"""The objection's state machine (DESIGN.md): a table of (state, action) -> state."""

from __future__ import annotations

from enum import StrEnum

from objections.domain.errors import IllegalTransition


class Status(StrEnum):
    RECEIVED = "received"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    ANSWERED = "answered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    ASSIGN = "assign"
    DECIDE = "decide"
    NOTIFY = "notify"
    CLOSE = "close"
    WITHDRAW = "withdraw"


TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.RECEIVED, Action.ASSIGN): Status.IN_REVIEW,
    (Status.IN_REVIEW, Action.ASSIGN): Status.IN_REVIEW,
    (Status.IN_REVIEW, Action.DECIDE): Status.DECIDED,
    (Status.DECIDED, Action.NOTIFY): Status.ANSWERED,
    (Status.ANSWERED, Action.CLOSE): Status.CLOSED,
    (Status.RECEIVED, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.IN_REVIEW, Action.WITHDRAW): Status.WITHDRAWN,
}

OPEN = frozenset({Status.RECEIVED, Status.IN_REVIEW, Status.DECIDED})
TERMINAL = frozenset({Status.CLOSED, Status.WITHDRAWN})


def next_status(state: str, action: str) -> Status:
    """The state after `action`; raises IllegalTransition naming the pair when the table has no entry."""
    try:
        key = (Status(state), Action(action))
    except ValueError as exc:
        raise IllegalTransition(str(state), str(action)) from exc
    if key not in TRANSITIONS:
        raise IllegalTransition(key[0].value, key[1].value)
    return TRANSITIONS[key]


def can(state: str, action: str) -> bool:
    try:
        return (Status(state), Action(action)) in TRANSITIONS
    except ValueError:
        return False


def allowed_actions(state: str) -> list[Action]:
    return [action for (source, action) in TRANSITIONS if source == state]
