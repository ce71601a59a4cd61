"""The header names the platform by its official Chinese name first, then CrowdSafe (issue 20 point 8)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation


@pytest.mark.django_db
def test_the_header_shows_the_chinese_name_first(client):
    with translation.override("zh-hans"):
        html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    brand = re.search(r'<a class="brand".*?</a>', html, re.S).group(0)
    text = re.sub(r"<[^>]+>", " ", brand).split()
    assert text == ["人员聚集安全管理平台", "CrowdSafe"]
