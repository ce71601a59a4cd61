"""The permit city fixtures, for the permit API reveal tests."""

from tests.permits.conftest import complete_application, permit_city, stadium  # noqa: F401
