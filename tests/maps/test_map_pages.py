"""Every page with a map hands it one configuration as JSON to the one map script (issue 17 point 3): no inline
script, the jurisdictions' boundaries as the base layer, the four old map scripts gone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from crowdsafe.org.demo_boundaries import polygon
from crowdsafe.org.services import jurisdiction_set_boundary
from events.models import Gathering
from events.selectors import attention_list
from tests.events.conftest import report

pytestmark = pytest.mark.django_db

OLD_SCRIPTS = ["events/gatherings-map.js", "js/venues-map.js", "risk/risk-map.js", "monitoring/board-map.js"]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def config_of(html: str, map_id: str) -> dict:
    found = re.search(rf'<script id="{map_id}-config" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no configuration for #{map_id}"
    return json.loads(found.group(1))


def test_the_old_map_scripts_are_gone_and_one_script_remains():
    static = Path(settings.BASE_DIR) / "static"
    for name in OLD_SCRIPTS:
        assert not (static / name).exists(), name
    assert (static / "js" / "crowdsafe-map.js").exists()
    templates = Path(settings.BASE_DIR).glob("**/templates/**/*.html")
    for template in templates:
        if ".venv" in template.parts:
            continue
        text = template.read_text()
        assert not any(name in text for name in OLD_SCRIPTS), template


def test_the_dashboard_risk_map_has_every_layer_and_the_attention_count(city, users):
    for level in ("red", "red", "orange", "blue"):
        g = report(users.grid_worker, grid=city.grid, latitude="36.0976", longitude="114.3523")
        Gathering.objects.filter(pk=g.pk).update(risk_level=level)
    # No position of its own: placed at the centre of its township's boundary, said to be approximate.
    unplaced = report(users.grid_worker, grid=city.grid)
    Gathering.objects.filter(pk=unplaced.pk).update(risk_level="red")
    jurisdiction_set_boundary(
        jurisdiction=city.street, geometry=polygon((114.33, 36.06, 114.39, 36.12)), approximate=True, actor=None
    )
    html = client_for(users.leader).get(reverse("dashboard:risk")).content.decode()
    config = config_of(html, "dash-map")
    assert config["boundaries"] == f"{reverse('org:boundaries')}?root={city.wenfeng.code}"
    assert [layer["key"] for layer in config["layers"]] == ["heat", "zones", "venues", "incidents", "gatherings"]
    zones = config["layers"][1]
    assert zones["url"] == f"{reverse('monitoring:board_shapes')}?territory={city.wenfeng.code}"
    assert "<script>" not in html  # only json_script blocks and script files
    dots = json.loads(re.search(r'id="dash-map-gatherings" type="application/json">(.*?)</script>', html).group(1))
    escalated = [d for d in dots if d["level"] in ("red", "orange")]
    assert len(escalated) == attention_list(user=users.leader).count() == 4
    approx = [d for d in dots if d.get("approx")]
    assert len(approx) == 1 and approx[0]["lat"] == 36.09 and approx[0]["lng"] == 114.36


@pytest.mark.parametrize(
    "name,map_id",
    [("events:gathering_list", "gatherings-map"), ("risk:map", "risk-map"), ("monitoring:board", "mon-map")],
)
def test_each_list_map_uses_the_shared_configuration(city, users, name, map_id):
    report(users.grid_worker, grid=city.grid, latitude="36.0976", longitude="114.3523")
    html = client_for(users.leader).get(reverse(name)).content.decode()
    if map_id == "risk-map" or map_id == "mon-map" or "gatherings-map-data" in html:
        config = config_of(html, map_id)
        assert config["boundaries"] == reverse("org:boundaries")
        assert "js/crowdsafe-map.js" in html and "vendor/leaflet-heat/leaflet-heat.js" in html
        assert config["tiles"]["crs"] in ("wgs84", "gcj02")


def test_the_tile_settings_reach_the_script(city, users, settings):
    settings.MAP_TILE_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}"
    settings.MAP_TILE_SUBDOMAINS = "1234"
    settings.MAP_TILE_CRS = "gcj02"
    response = client_for(users.leader).get(reverse("risk:map"))
    config = config_of(response.content.decode(), "risk-map")
    assert config["tiles"] == {
        "url": settings.MAP_TILE_URL,
        "attribution": "",
        "subdomains": "1234",
        "overlay": "",
        "crs": "gcj02",
    }
    # The CSP lets the tiles' subdomains in (a CSP source may hold one leading wildcard).
    assert "https://*.is.autonavi.com" in response["Content-Security-Policy"]
