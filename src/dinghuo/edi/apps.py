from django.apps import AppConfig


class EdiConfig(AppConfig):
    name = "dinghuo.edi"
    label = "edi"
