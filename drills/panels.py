"""Home-page panel (overdue drills) and the permit-page panel (pre-event drill); filled in below."""

from __future__ import annotations


def register_panels() -> None:
    return None
