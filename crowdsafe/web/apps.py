from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "crowdsafe.web"
    label = "web"
