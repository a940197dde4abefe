from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sira.accounts"
    label = "accounts"
