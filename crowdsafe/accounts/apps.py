from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "crowdsafe.accounts"
    label = "accounts"
