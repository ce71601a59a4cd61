"""The test factories' division codes stay valid however many a pytest worker has made."""

from __future__ import annotations

import pytest

from tests.factories import JurisdictionFactory


@pytest.mark.django_db
def test_a_factory_division_code_has_six_digits_after_ten_thousand_of_them():
    JurisdictionFactory.reset_sequence(10_004)
    try:
        jurisdiction = JurisdictionFactory()
    finally:
        JurisdictionFactory.reset_sequence(0)
    assert jurisdiction.code == "990004" and len(jurisdiction.code) == 6
