from django.apps import AppConfig


class DutiesConfig(AppConfig):
    """Responsibility engine: responsibility rules as data, tasks (duties) that explain themselves."""

    name = "duties"
