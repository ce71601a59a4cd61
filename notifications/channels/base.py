"""What every channel returns or raises."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """``delivered``: a real channel accepted the message (an SMTP server, a robot API answering errcode 0, an SMS
    gateway). ``response``: what it answered, for the delivery log."""

    delivered: bool
    response: str = ""


class ChannelError(Exception):
    def __init__(self, message: str, *, response: str = "") -> None:
        super().__init__(message)
        self.response = response


class TransientError(ChannelError):
    """Worth trying again later (with backoff, up to the bound)."""


class PermanentError(ChannelError):
    """Not worth trying again: the delivery fails at once."""
