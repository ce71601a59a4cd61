from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "crowdsafe.audit"
    label = "audit"
