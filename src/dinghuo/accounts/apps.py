from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dinghuo.accounts"
    label = "accounts"
