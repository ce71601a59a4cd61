from django.apps import AppConfig


class DrillsConfig(AppConfig):
    """Emergency plans and drills (应急预案与演练)."""

    name = "drills"
