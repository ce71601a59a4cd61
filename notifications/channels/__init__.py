"""The channels a delivery can go over. Each ``send`` returns an ``Outcome`` or raises ``TransientError`` (worth
another attempt later: a timeout, a 5xx, a rate limit) or ``PermanentError`` (never worth it: a bad address, a
refused robot). ``Outcome.delivered`` is True only when a real channel accepted the message; development backends
(console, file, in-memory) return ``delivered=False`` and the delivery is logged, never reported as delivered."""

from notifications.channels.base import Outcome, PermanentError, TransientError

__all__ = ["Outcome", "PermanentError", "TransientError"]
