from django.apps import AppConfig


class VenuesConfig(AppConfig):
    """Crowded places (人员密集场所): venues, zones, exits, capacity, equipment and building safety."""

    name = "venues"
