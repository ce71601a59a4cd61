"""The map endpoints send at most a few thousand features, clustered by the database beyond that (issue 19): the
leaders' risk map (gatherings, heat, zones), the risk register's map and the monitoring board's shapes. The limits
are made small here; the clusters still count every row, by level."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crowdsafe.org.demo_boundaries import polygon
from crowdsafe.org.maps import cluster_cells, clusters
from crowdsafe.org.services import jurisdiction_set_boundary
from events.models import Gathering
from events.selectors import attention_list
from monitoring.board import map_layer
from monitoring.services import zone_create
from tests.events.conftest import report

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def layer_data(html: str, data_id: str):
    return json.loads(re.search(rf'id="{data_id}" type="application/json">(.*?)</script>', html, re.S).group(1))


def _square(lat: float, lng: float) -> dict:
    ring = [[lng, lat], [lng + 0.001, lat], [lng + 0.001, lat + 0.001], [lng, lat + 0.001], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_cells_keep_the_clusters_within_the_limit():
    assert cluster_cells(2000) ** 2 <= 2000 and cluster_cells(500) ** 2 <= 500 and cluster_cells(1) == 1


def test_clusters_count_every_row_by_level_in_cells_over_their_extent(city, users):
    spots = [("36.10", "114.30", "red"), ("36.1001", "114.3001", "blue"), ("36.30", "114.50", "orange")]
    for lat, lng, level in spots:
        g = report(users.grid_worker, grid=city.grid, latitude=lat, longitude=lng)
        Gathering.objects.filter(pk=g.pk).update(risk_level=level)
    report(users.grid_worker, grid=city.grid)  # no position: not in any cluster
    found = clusters(Gathering.objects.all(), lat="latitude", lng="longitude", level="risk_level", cells=2)
    assert sorted((c["count"], c["level"]) for c in found) == [(1, "orange"), (2, "red")]
    near = next(c for c in found if c["count"] == 2)
    assert near["counts"] == {"red": 1, "orange": 0, "yellow": 0, "blue": 1}
    assert near["bounds"] == [[36.1, 114.3], [36.1001, 114.3001]]
    assert abs(near["lat"] - 36.10005) < 1e-6 and near["lines"] == ["red 1", "blue 1"]


def test_the_dashboard_map_clusters_its_layers_beyond_the_limit(city, users, monkeypatch):
    for level in ("red", "red", "orange", "blue"):
        g = report(users.grid_worker, grid=city.grid, latitude="36.0976", longitude="114.3523")
        Gathering.objects.filter(pk=g.pk).update(risk_level=level)
    unplaced = report(users.grid_worker, grid=city.grid)
    Gathering.objects.filter(pk=unplaced.pk).update(risk_level="red")
    jurisdiction_set_boundary(
        jurisdiction=city.street, geometry=polygon((114.33, 36.06, 114.39, 36.12)), approximate=True, actor=None
    )
    # Started yesterday: in the heat's period (the last 30 days up to today); one more, expected next week, is not.
    Gathering.objects.update(starts_at=timezone.now() - dt.timedelta(days=1))
    ahead = report(users.grid_worker, grid=city.grid, latitude="36.0976", longitude="114.3523")
    Gathering.objects.filter(pk=ahead.pk).update(starts_at=timezone.now() + dt.timedelta(days=7), risk_level="blue")
    monkeypatch.setattr("dashboard.selectors.map.MAP_LIMIT", 2)
    monkeypatch.setattr("dashboard.selectors.map.HEAT_LIMIT", 2)
    html = client_for(users.leader).get(reverse("dashboard:risk")).content.decode()
    found = layer_data(html, "dash-map-gatherings")
    assert all("count" in c for c in found) and sum(c["count"] for c in found) == 6
    escalated = sum(c["counts"]["red"] + c["counts"]["orange"] for c in found)
    assert escalated == attention_list(user=users.leader).count() == 4
    approx = [c for c in found if c.get("approx")]
    assert len(approx) == 1 and approx[0]["count"] == 1 and approx[0]["lat"] == 36.09
    heat = layer_data(html, "dash-map-heat")
    assert len(heat) == 1 and heat[0][2] == 1.0  # the four placed gatherings of the period in one cell
    monkeypatch.setattr("dashboard.selectors.map.HEAT_LIMIT", 10)
    html = client_for(users.leader).get(reverse("dashboard:risk")).content.decode()
    assert len(layer_data(html, "dash-map-heat")) == 4  # not the one expected next week


def test_the_register_map_returns_at_most_its_limit(city, users, monkeypatch):
    monkeypatch.setattr("risk.selectors.MAP_LIMIT", 0)
    response = client_for(users.leader).get(reverse("risk:map"))
    assert response.status_code == 200
    assert layer_data(response.content.decode(), "risk-points") == []


def test_the_board_sends_zone_clusters_beyond_its_limit(city, users):
    for i in range(3):
        zone_create(
            actor=users.township_officer,
            jurisdiction=city.grid,
            name=f"区域{i}",
            kind="standing",
            area_m2="200",
            polygon=_square(36.1 + i / 100, 114.35),
        )
    assert len(map_layer(user=users.township_officer, limit=3)["shapes"]) == 3
    layer = map_layer(user=users.township_officer, limit=1)
    assert layer["shapes"] == [] and layer["count"] == 3 and len(layer["clusters"]) == 1
    assert layer["clusters"][0]["counts"]["blue"] == 3 and layer["clusters"][0]["count"] == 3
