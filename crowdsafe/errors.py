"""Domain errors raised by services. Views turn them into a message (HTML) or a 400 (API)."""

from __future__ import annotations


class DomainError(Exception):
    """An illegal action or invalid input, with a translatable message for the user.

    ``field`` names the input the message is about, when there is one; ``code`` is stable for API clients.
    """

    code = "invalid"

    def __init__(self, message, *, field: str | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code:
            self.code = code


class PermissionDeniedError(DomainError):
    """The actor may see the object but not do this to it."""

    code = "permission_denied"
