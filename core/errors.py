"""The three ways a business action can be refused; every interface maps them the same way.

RuleViolation → form errors / HTTP 400 listing every message / command exit code 2.
TransitionConflict → HTTP 409: the object moved on since the user looked at it.
NotPermitted → HTTP 404/403: this user may not do this.
"""


class RuleViolation(Exception):
    """One or more business rules are not met; `messages` says each in words."""

    def __init__(self, messages, field_errors=None):
        if isinstance(messages, str):
            messages = [messages]
        self.messages = [str(m) for m in messages]
        self.field_errors = field_errors or {}
        super().__init__("; ".join(self.messages))


class TransitionConflict(Exception):
    """The action is not possible from the object's current state (someone else acted first)."""


class NotPermitted(Exception):
    """The user's role does not allow this action on this object."""
