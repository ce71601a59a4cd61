from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Spontaneous mass gatherings (群众自发性聚集活动): logging, triage, measures, headcounts."""

    name = "events"
