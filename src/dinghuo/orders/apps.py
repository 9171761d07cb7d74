from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "dinghuo.orders"
    label = "orders"
