from django.apps import AppConfig


class RiskConfig(AppConfig):
    """Risk assessments and hazard rectification (风险评估、隐患整改)."""

    name = "risk"
