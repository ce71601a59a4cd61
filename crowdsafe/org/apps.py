from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "crowdsafe.org"
    label = "org"
