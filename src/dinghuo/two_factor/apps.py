from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "dinghuo.two_factor"
    label = "two_factor"
    verbose_name = "Two-step sign-in"
