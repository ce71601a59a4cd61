"""A territory field's suggestions (``crowdsafe.org.selectors.territory_suggestions``, ``{% territory_datalist %}``):
the territories the user may see, in path order, as the pages' <datalist> (issue 19: pairs, not instances)."""

from __future__ import annotations

import re

import pytest
from django.template import engines

from crowdsafe.org.selectors import territory_suggestions

pytestmark = pytest.mark.django_db


def test_the_suggestions_are_the_visible_territories_in_path_order(users, city):
    officer = list(territory_suggestions(user=users.township_officer))
    assert officer == [(city.street.code, city.street.name), (city.community.code, city.community.name)]
    leader = list(territory_suggestions(user=users.leader, levels=("district", "township")))
    assert leader == [(j.code, j.name) for j in (city.wenfeng, city.street, city.street2)]
    without = [code for code, _ in territory_suggestions(user=users.leader, exclude=("grid", "community"))]
    assert city.community.code not in without and city.grid.code not in without and city.wenfeng.code in without
    assert len(territory_suggestions(user=users.admin, limit=2)) == 2
    assert city.mhk_town.code not in [code for code, _ in territory_suggestions(user=users.admin)]


def test_the_suggestions_are_read_by_a_statement_compiled_once(users, city, monkeypatch):
    """One statement for every user whose rule has the same shape (how many subtrees, how many departments' groups),
    compiled once: the same pairs as the visibility rule's queryset, a territory shared with a department too."""
    from crowdsafe.org import selectors
    from crowdsafe.org.models import Jurisdiction
    from crowdsafe.org.services import grant_to_department
    from tests.helpers.statements import counted_builds

    grant_to_department(obj=city.mhk_town, codename="view_jurisdiction", department=city.wenfeng_police, actor=None)
    built = counted_builds(selectors._TERRITORY_SUGGESTIONS, monkeypatch)
    rounds = []
    for _ in range(2):
        for user in (users.township_officer, users.leader, users.staff, users.outsider, users.admin):
            expected = list(
                Jurisdiction.objects.visible_to(user).exclude(level="grid").order_by("path").values_list("code", "name")
            )
            assert territory_suggestions(user=user) == expected, user
        rounds.append(len(built))
    assert 0 < rounds[0] == rounds[1]
    assert (city.mhk_town.code, city.mhk_town.name) in territory_suggestions(user=users.staff)


def test_the_datalist_writes_each_pair_escaped():
    template = engines["django"].from_string('{% load territories %}{% territory_datalist "x-list" rows %}')
    html = template.render({"rows": [("410502", "文峰区"), ("9<", 'a "b" & <c>')]})
    assert html == (
        '<datalist id="x-list"><option value="410502">文峰区</option>'
        '<option value="9&lt;">a &quot;b&quot; &amp; &lt;c&gt;</option></datalist>'
    )


@pytest.mark.parametrize(
    ("url", "list_id"),
    [
        ("/gatherings/", "gathering-territories"),
        ("/venues/", "venue-territories"),
        ("/risk/", "risk-territories"),
        ("/risk/map/", "risk-territories"),
        ("/drills/", "drill-territories"),
    ],
)
def test_the_pages_suggest_the_leaders_territories(client, users, city, url, list_id):
    client.force_login(users.leader)
    html = client.get(url).content.decode()
    datalist = re.search(rf'<datalist id="{list_id}">(.*?)</datalist>', html, re.S)
    assert datalist, url
    codes = re.findall(r'<option value="(\d+)">', datalist.group(1))
    assert city.wenfeng.code in codes and city.street.code in codes
    assert city.grid.code not in codes and city.beiguan.code not in codes
