"""crowdsafe.common.lookups: ``any_of`` and ``Ids`` (issue 19)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crowdsafe.common.lookups import Ids, any_of
from crowdsafe.org.models import Jurisdiction

pytestmark = pytest.mark.django_db


def test_ids_are_sorted_unique_ints_with_their_array_written_once():
    ids = Ids(["3", 1, 3, 2])
    assert ids == (1, 2, 3) and isinstance(ids, tuple)
    assert ids.literal == "{1,2,3}"
    assert Ids([]) == () and Ids([]).literal == "{}"
    with pytest.raises(ValueError):
        Ids(["1; DROP TABLE x"])


def test_any_of_ids_is_the_same_statement_as_any_of_a_list(city):
    pks = [city.street.pk, city.wenfeng.pk, city.street.pk]
    statements = []
    for ids in (pks, Ids(pks)):
        with CaptureQueriesContext(connection) as captured:
            found = sorted(Jurisdiction.objects.filter(any_of("pk", ids)).values_list("code", flat=True))
        statements.append(captured[0]["sql"])
        assert found == sorted([city.street.code, city.wenfeng.code])
    assert statements[0] == statements[1]
    assert not Jurisdiction.objects.filter(any_of("pk", Ids([]))).exists()
