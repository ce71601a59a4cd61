"""Placeholder."""


def connect() -> None:
    pass
