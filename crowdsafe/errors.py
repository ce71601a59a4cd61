"""Domain errors raised by services. Views turn them into a message (HTML) or a 400 (API)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """An illegal action or invalid input, with a translatable message for the user.

    ``field`` names the input the message is about, when there is one; ``code`` is stable for API clients.
    """

    code = "invalid"

    def __init__(self, message, *, field: str | None = None, code: str | None = None, problems=None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code:
            self.code = code
        # Every problem found in the input, as (field, message); the first is ``field``/``message``. Forms show
        # them all at once (crowdsafe.common.admin.add_domain_error), the API lists them under "errors".
        self.problems: list[tuple[str | None, Any]] = list(problems) if problems else [(field, message)]

    @classmethod
    def from_validation_error(cls, exc: ValidationError) -> DomainError:
        """Model validation (``full_clean``) as one domain error with every field's messages."""
        problems = [
            (None if name == "__all__" else name, message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
        field, message = problems[0]
        return cls(message, field=field, problems=problems)


class Problems:
    """Collects a service's objections to one input, so that the user is told of all of them at once instead of
    one per attempt (issue 20 point 3): ``problems.add(msg, field=...)`` for each check, then ``problems.check()``
    raises one DomainError carrying them all."""

    def __init__(self) -> None:
        self.items: list[tuple[str | None, Any]] = []

    def add(self, message, *, field: str | None = None) -> None:
        self.items.append((field, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def check(self) -> None:
        if self.items:
            field, message = self.items[0]
            raise DomainError(message, field=field, problems=self.items)


class PermissionDeniedError(DomainError):
    """The actor may see the object but not do this to it."""

    code = "permission_denied"
