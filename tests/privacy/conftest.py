"""The fixtures the privacy tests share with the apps' own tests."""

from tests.drills.conftest import _wired, world  # noqa: F401
from tests.permits.conftest import complete_application, permit_city, stadium  # noqa: F401
from tests.venues.conftest import operator  # noqa: F401
