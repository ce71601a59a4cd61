"""``{% location_map %}``: the map of one position (a venue's, a gathering's) with the jurisdictions' boundaries
under it, through the one map script (``crowdsafe/org/maps.py``, ``templates/org/_map.html``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from crowdsafe.org.maps import map_config, marker_layer

register = template.Library()


@register.inclusion_tag("org/_map.html")
def location_map(
    lat: Any,
    lng: Any,
    name: str,
    *,
    map_id: str = "venue-map",
    css: str = "venue-map",
    marker: str = "",
    label: str = "",
    no_tiles_text: str = "",
) -> dict[str, Any]:
    return {
        "map": map_config(
            layers=[marker_layer(lat, lng, name)], boundaries_url=reverse("org:boundaries"), css=css, zoom=16
        ),
        "map_id": map_id,
        "map_class": css,
        "map_marker": marker,
        "map_label": label,
        "map_no_tiles_text": no_tiles_text,
    }
