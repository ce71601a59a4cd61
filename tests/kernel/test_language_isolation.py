"""A test that leaves another language active does not change the next test's (tests/conftest.py _site_language)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def test_a_test_may_leave_another_language_active():
    translation.activate("en")
    assert translation.get_language() == "en"


def test_the_next_test_starts_in_the_sites_language():
    assert translation.get_language() == settings.LANGUAGE_CODE
