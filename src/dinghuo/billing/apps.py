from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "dinghuo.billing"
    label = "billing"
    verbose_name = "Billing"
