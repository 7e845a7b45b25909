"""The state machine: every allowed transition, and every other (state, action) pair refused by name."""

from itertools import product

import pytest

from objections.domain.errors import IllegalTransition
from objections.domain.lifecycle import TRANSITIONS, Action, Status, allowed_actions, can, next_status

ALLOWED = [
    ("received", "assign", "in_review"),
    ("in_review", "assign", "in_review"),
    ("in_review", "decide", "decided"),
    ("decided", "notify", "answered"),
    ("answered", "close", "closed"),
    ("received", "withdraw", "withdrawn"),
    ("in_review", "withdraw", "withdrawn"),
]


@pytest.mark.parametrize(("state", "action", "target"), ALLOWED)
def test_allowed_transition_reaches_its_state(state: str, action: str, target: str) -> None:
    assert next_status(state, action) == target
    assert can(state, action)


def test_the_table_holds_exactly_the_designed_transitions() -> None:
    assert {(s.value, a.value, t.value) for (s, a), t in TRANSITIONS.items()} == set(ALLOWED)


FORBIDDEN = [
    (s.value, a.value)
    for s, a in product(Status, Action)
    if (s.value, a.value) not in {(state, action) for state, action, _ in ALLOWED}
]


@pytest.mark.parametrize(("state", "action"), FORBIDDEN)
def test_forbidden_transition_raises_naming_the_pair(state: str, action: str) -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_status(state, action)
    assert caught.value.state == state
    assert caught.value.action == action
    assert state in str(caught.value) and action in str(caught.value)
    assert not can(state, action)


def test_unknown_state_or_action_is_refused() -> None:
    with pytest.raises(IllegalTransition):
        next_status("lost", "assign")
    with pytest.raises(IllegalTransition):
        next_status("received", "teleport")
    assert not can("lost", "assign")


def test_closed_and_withdrawn_allow_nothing() -> None:
    assert allowed_actions("closed") == []
    assert allowed_actions("withdrawn") == []
    assert set(allowed_actions("received")) == {Action.ASSIGN, Action.WITHDRAW}
