from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "dinghuo.customers"
    label = "customers"
