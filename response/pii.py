"""Masking a caller's phone number in lists. Kept here, in one function, until the kernel's
``crowdsafe/common/pii.py`` (being written beside this app) exists; then this module should call it."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four digits of a mobile number, less for shorter numbers."""
    digits = (phone or "").strip()
    if not digits:
        return ""
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)
