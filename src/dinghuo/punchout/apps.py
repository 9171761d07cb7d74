from django.apps import AppConfig


class PunchoutConfig(AppConfig):
    name = "dinghuo.punchout"
    label = "punchout"
    verbose_name = "PunchOut"
