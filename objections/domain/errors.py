"""Errors the rules raise; the edges turn them into messages and statuses."""


class DomainError(Exception):
    """A rule refused an action; the message says which rule."""


class IllegalTransition(DomainError):
    """The objection's state does not allow the action (HTTP 409)."""

    def __init__(self, state: str, action: str) -> None:
        super().__init__(f"cannot {action} an objection that is {state}")
        self.state = state
        self.action = action


class ValidationFailed(DomainError):
    """Input broke a rule; `errors` maps field names to messages (HTTP 422)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class NotFound(DomainError):
    """No such thing, or not visible to this actor (HTTP 404)."""


class Conflict(DomainError):
    """Someone else changed it first (HTTP 409/412)."""
