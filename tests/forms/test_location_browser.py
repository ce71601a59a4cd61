"""In headless Chromium at a phone viewport (issue 20 point 3): the hazard form's place is picked by a tap on the
map (no map tiles here: the map is a plain background and a tap still picks the point) or by the phone's position;
both fill the latitude and longitude fields, which are what the form sends."""

from __future__ import annotations

import pytest

from risk.models import Hazard
from tests.forms.test_pickers_browser import browser, page_of  # noqa: F401 (the fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WENFENG_TOWER = {"latitude": 36.0968, "longitude": 114.3523, "accuracy": 12}


def test_a_tap_on_the_map_fills_the_coordinates(page_of, live_server, city, users):  # noqa: F811
    page = page_of(users.township_officer)
    page.goto(f"{live_server.url}/risk/hazards/new/")
    page.wait_for_selector("[data-location-picker][data-map-ready=true]")
    assert page.input_value("input[name=latitude]") == ""
    the_map = page.locator("[data-location-picker]")
    the_map.scroll_into_view_if_needed()
    box = the_map.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25)
    latitude = float(page.input_value("input[name=latitude]"))
    longitude = float(page.input_value("input[name=longitude]"))
    # Up and right of the centre (安阳, 36.0976, 114.3926): north-east of it, within the map's few kilometres.
    assert 36.0976 < latitude < 36.2 and 114.3926 < longitude < 114.5
    assert page.locator(".leaflet-marker-icon").count() == 1
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_phones_position_fills_them_and_the_hazard_keeps_it(page_of, live_server, city, users):  # noqa: F811
    page = page_of(users.township_officer, geolocation=WENFENG_TOWER, permissions=["geolocation"])
    page.goto(f"{live_server.url}/risk/hazards/new/")
    page.wait_for_selector("[data-location-picker][data-map-ready=true]")
    page.get_by_role("button", name="使用我的位置").click()
    page.wait_for_selector("[data-position-status][data-state=ok]")
    assert page.input_value("input[name=latitude]") == "36.096800"
    assert page.input_value("input[name=longitude]") == "114.352300"
    page.fill("input[name=title]", "消防通道堆放杂物")
    page.fill("textarea[name=description]", "东大街88号门前消防通道堆放纸箱。")
    page.fill("input[name=location]", "东大街88号门前")
    page.fill("input[name=responsible_unit_name]", "东大街88号商铺")
    page.locator("#id_jurisdiction").fill("第一网格")
    page.locator("[role=option][data-code='410502001001G01']").click()
    with page.expect_navigation():
        page.get_by_role("button", name="登记隐患").click()
    assert "/risk/hazards/new/" not in page.url, page.locator("form.risk-form").inner_text()
    hazard = Hazard.objects.get(title="消防通道堆放杂物")
    assert (str(hazard.latitude), str(hazard.longitude)) == ("36.096800", "114.352300")
