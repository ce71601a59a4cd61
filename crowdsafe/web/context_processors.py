from __future__ import annotations

from django.conf import settings


def shell(request):
    """What the page shell needs on every page: the user's scope summary and the site name."""
    return {"SITE_NAME": "CrowdSafe", "SITE_URL": settings.SITE_URL}
