from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "crowdsafe.workdays"
    label = "workdays"
